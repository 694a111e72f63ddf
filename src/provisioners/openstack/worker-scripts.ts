/**
 * The scripts of a worker's `path`, as Eve's openstack build order read them
 * (eve/worker/openstack_heat/build_order.py): init.sh runs once as root with
 * the product version as argument, requirements.sh is retried (Eve: 5 times,
 * 30 s apart), start.sh only started buildbot-worker in Eve and is skipped.
 * init.sh and requirements.sh are steps of their own in the stage.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { checkRepositoryPath } from "../../buildfile/check-repository-path.js";
import { resolveRepositoryPath } from "../safe-path.js";
import { ProvisionError, WorkerRefusedError, type ExecOptions, type PreparationStep } from "../types.js";
import { runSshStep } from "./run-ssh-step.js";
import type { SshConnection } from "./ssh-connection.js";

export type WorkerScriptName = "init.sh" | "requirements.sh" | "start.sh";
export type WorkerScripts = Partial<Record<WorkerScriptName, string>>;

/** The scripts present in `path` of the checkout; refuses a path that leaves it. */
export async function readWorkerScripts(repoDir: string | undefined, path: string | undefined): Promise<WorkerScripts> {
  if (path === undefined || repoDir === undefined) return {};
  const problem = checkRepositoryPath(path);
  if (problem) throw new WorkerRefusedError(`worker path '${path}': ${problem}`);
  const scripts: WorkerScripts = {};
  for (const name of ["init.sh", "requirements.sh", "start.sh"] as const) {
    if (!existsSync(join(repoDir, path, name))) continue;
    const resolved = await resolveRepositoryPath(repoDir, join(path, name), { what: "worker script", kind: "file", links: "inside" });
    if (!resolved.ok) throw new WorkerRefusedError(resolved.message);
    scripts[name] = await readFile(resolved.path, "utf8");
  }
  return scripts;
}

export interface ScriptRunContext {
  connection: SshConnection;
  /** Where the scripts are written in the VM. */
  dir: string;
  /** Prefix that runs a command as root ([] when logged in as root). */
  asRoot: string[];
  requirementsAttempts: number;
  requirementsDelayMs: number;
}

/**
 * init.sh, then requirements.sh with retries, as steps of their own (the
 * engine runs them before the build's steps; a failure fails the stage).
 */
export function createPreparationSteps(scripts: WorkerScripts, productVersion: string, run: ScriptRunContext): PreparationStep[] {
  const steps: PreparationStep[] = [];
  const init = scripts["init.sh"];
  if (init !== undefined) {
    steps.push({
      name: "init.sh",
      async run(onLine, signal) {
        const exitCode = await runScript(run, "init.sh", init, run.asRoot, [productVersion], onLine, signal);
        return { exitCode, summary: `init.sh failed (exit code ${String(exitCode)})` };
      },
    });
  }
  const requirements = scripts["requirements.sh"];
  if (requirements !== undefined) {
    steps.push({
      name: "requirements.sh",
      async run(onLine, signal) {
        for (let attempt = 1; ; attempt++) {
          await onLine(`attempt ${attempt}/${run.requirementsAttempts}`);
          const exitCode = await runScript(run, "requirements.sh", requirements, [], [], onLine, signal);
          if (exitCode === 0 || signal.aborted) return { exitCode, summary: "requirements.sh was cancelled" };
          if (attempt >= run.requirementsAttempts) return { exitCode, summary: `requirements.sh failed ${attempt} times (last exit code ${String(exitCode)})` };
          await onLine(`failed (exit code ${String(exitCode)}); next attempt in ${run.requirementsDelayMs / 1000} s`);
          await sleep(run.requirementsDelayMs, undefined, { signal });
        }
      },
    });
  }
  return steps;
}

async function runScript(run: ScriptRunContext, name: WorkerScriptName, content: string, prefix: string[], args: string[], onLine: (line: string) => void | Promise<void>, signal: AbortSignal): Promise<number | null> {
  const file = `${run.dir}/${name}`;
  // The script travels base64-encoded in the command: no stdin channel is needed, and its shebang is honoured.
  const install = `mkdir -p "$1" && printf %s "$2" | base64 -d > "$3" && chmod 755 "$3"`;
  const written = await run.connection.run(["sh", "-c", install, "eve-script", run.dir, Buffer.from(content).toString("base64"), file]);
  if (written.exitCode !== 0) throw new ProvisionError(`could not write ${name} on the server: ${written.output.trim()}`);
  let pending = "";
  const options: ExecOptions = {
    workdir: run.dir,
    env: {},
    timeoutMs: Number.POSITIVE_INFINITY,
    maxTimeMs: Number.POSITIVE_INFINITY,
    killGraceMs: 5_000,
    usePty: false,
    signal,
    onOutput: async (chunk) => {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) await onLine(line);
    },
  };
  const result = await runSshStep(run.connection, `${run.dir}/.${name}.pid`, { argv: [...prefix, file, ...args] }, options);
  if (pending !== "") await onLine(pending);
  return result.exitCode;
}
