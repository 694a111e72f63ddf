/**
 * The scripts of a worker's `path`, as Eve's openstack build order read them
 * (eve/worker/openstack_heat/build_order.py): init.sh runs once as root with
 * the product version as argument, requirements.sh is retried (Eve: 5 times,
 * 30 s apart), start.sh only started buildbot-worker in Eve and is skipped.
 * Their output goes to the stage's log, each under a line naming it.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { checkRepositoryPath } from "../../buildfile/check-repository-path.js";
import { resolveRepositoryPath } from "../safe-path.js";
import { WorkerRefusedError, type ExecOptions } from "../types.js";
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
  log: (line: string) => void;
  signal: AbortSignal;
  requirementsAttempts: number;
  requirementsDelayMs: number;
}

/** Runs init.sh, then requirements.sh with retries; a script that keeps failing refuses the worker (the build's fault). */
export async function runWorkerScripts(scripts: WorkerScripts, productVersion: string, run: ScriptRunContext): Promise<void> {
  if (scripts["init.sh"] !== undefined) {
    const code = await runScript(run, "init.sh", scripts["init.sh"], [...run.asRoot], [productVersion]);
    if (code !== 0) throw new WorkerRefusedError(`the worker's init.sh failed (exit code ${String(code)})`);
  }
  const requirements = scripts["requirements.sh"];
  if (requirements !== undefined) {
    for (let attempt = 1; ; attempt++) {
      run.log(`requirements.sh: attempt ${attempt}/${run.requirementsAttempts}`);
      const code = await runScript(run, "requirements.sh", requirements, [], []);
      if (code === 0) break;
      if (attempt >= run.requirementsAttempts) throw new WorkerRefusedError(`the worker's requirements.sh failed ${attempt} times (last exit code ${String(code)})`);
      run.log(`requirements.sh failed (exit code ${String(code)}); next attempt in ${run.requirementsDelayMs / 1000} s`);
      await sleep(run.requirementsDelayMs, undefined, { signal: run.signal });
    }
  }
  if (scripts["start.sh"] !== undefined) run.log("start.sh skipped: in Eve it only started buildbot-worker; this Eve runs the steps over SSH");
}

async function runScript(run: ScriptRunContext, name: WorkerScriptName, content: string, prefix: string[], args: string[]): Promise<number | null> {
  run.log(`--- ${name} ---`);
  const file = `${run.dir}/${name}`;
  // The script travels base64-encoded in the command: no stdin channel is needed, and its shebang is honoured.
  const install = `mkdir -p "$1" && printf %s "$2" | base64 -d > "$3" && chmod 755 "$3"`;
  const written = await run.connection.run(["sh", "-c", install, "eve-script", run.dir, Buffer.from(content).toString("base64"), file]);
  if (written.exitCode !== 0) throw new WorkerRefusedError(`could not write ${name} on the server: ${written.output.trim()}`);
  let pending = "";
  const options: ExecOptions = {
    workdir: run.dir,
    env: {},
    timeoutMs: Number.POSITIVE_INFINITY,
    maxTimeMs: Number.POSITIVE_INFINITY,
    killGraceMs: 5_000,
    usePty: false,
    signal: run.signal,
    onOutput: (chunk) => {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) run.log(`${name}: ${line}`);
    },
  };
  const result = await runSshStep(run.connection, `${run.dir}/.${name}.pid`, { argv: [...prefix, file, ...args] }, options);
  if (pending !== "") run.log(`${name}: ${pending}`);
  if (result.killedBy === "cancel") throw new WorkerRefusedError(`${name} was cancelled`);
  return result.exitCode;
}
