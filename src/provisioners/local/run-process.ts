/**
 * Runs one command on this host in its own process group, streams its output
 * with backpressure, and kills the whole group on timeout, maxTime or cancel
 * (SIGTERM, then SIGKILL after the grace). Resolves when the process has
 * exited and its output pipes are closed, as Buildbot's worker does.
 * Processes are started by the spawn helper (spawn-helper.ts), not by forking Eve,
 * unless this process is as small as the helper (spawn-directly.ts).
 */
import type { ExecOptions, ExecResult, StepCommand } from "../types.js";
import { wrapInPty } from "./pty-command.js";
import { spawnDirectly } from "./spawn-directly.js";
import { spawnThroughHelper } from "./spawn-helper.js";

/** setTimeout's ceiling; longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

let spawnStep = spawnThroughHelper;

/**
 * From now on this process starts its steps itself (spawn-directly.ts): for `eve run`, whose process is
 * no larger than the spawn helper's. The app's stage process, hundreds of MB, keeps the helper.
 */
export function spawnStepsInThisProcess(): void {
  spawnStep = spawnDirectly;
}

export interface RunProcessOptions extends ExecOptions {
  /** Called with the process group id once the process is started. */
  onGroup?: (pgid: number) => void;
  /** A file the process group id is appended to once the process is started (by the spawn helper). */
  groupsFile?: string;
}

export async function runProcess(command: StepCommand, options: RunProcessOptions): Promise<ExecResult> {
  const started = Date.now();
  if (options.signal.aborted) return { exitCode: null, killedBy: "cancel", durationMs: 0 };
  let [file, args] = "shell" in command ? ["/bin/sh", ["-c", command.shell]] : [command.argv[0] ?? "", command.argv.slice(1)];
  let env = options.env;
  if (options.usePty) {
    const pty = wrapInPty(command, env);
    if (!pty.ok) {
      await options.onOutput(Buffer.from(`eve: ${pty.message}\n`), "stderr");
      return { exitCode: 1, killedBy: null, durationMs: Date.now() - started };
    }
    ({ file, args, env } = pty);
  }
  return new Promise<ExecResult>((resolve) => {
    let pid: number | undefined;
    let killedBy: ExecResult["killedBy"] = null;
    let lastOutput = Date.now();
    let idleTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const kill = (reason: NonNullable<ExecResult["killedBy"]>) => {
      if (killedBy !== null || settled) return;
      killedBy = reason;
      // Not started yet: `started` sends the SIGTERM.
      if (pid !== undefined) signalGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => pid !== undefined && signalGroup(pid, "SIGKILL"), Math.min(options.killGraceMs, MAX_TIMER_MS));
    };
    const checkIdle = () => {
      const idle = Date.now() - lastOutput;
      if (idle >= options.timeoutMs) kill("timeout");
      else idleTimer = setTimeout(checkIdle, Math.min(options.timeoutMs - idle, MAX_TIMER_MS));
    };
    const maxTimer = setTimeout(() => kill("maxTime"), Math.min(options.maxTimeMs, MAX_TIMER_MS));
    idleTimer = setTimeout(checkIdle, Math.min(options.timeoutMs, MAX_TIMER_MS));
    const onAbort = () => kill("cancel");
    options.signal.addEventListener("abort", onAbort, { once: true });

    const finish = (exitCode: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(maxTimer);
      clearTimeout(idleTimer);
      clearTimeout(killTimer);
      options.signal.removeEventListener("abort", onAbort);
      resolve({ exitCode, killedBy, durationMs: Date.now() - started });
    };

    spawnStep(
      { file, args, cwd: options.workdir, env, ...(options.groupsFile === undefined ? {} : { groupsFile: options.groupsFile }) },
      {
        started(groupId) {
          pid = groupId;
          options.onGroup?.(groupId);
          if (killedBy !== null) signalGroup(groupId, "SIGTERM");
        },
        output(chunk, stream) {
          lastOutput = Date.now();
          const pending = options.onOutput(chunk, stream);
          // While the consumer catches up the process is paused: that is not idleness.
          return pending?.then(() => {
            lastOutput = Date.now();
          });
        },
        failed(message, cause) {
          const [line, exitCode] = cause === "workdir" ? [`eve: cannot create workdir ${options.workdir}: ${message}`, 1] : [`eve: cannot run '${file}': ${message}`, 127];
          void Promise.resolve(options.onOutput(Buffer.from(`${line}\n`), "stderr")).finally(() => finish(exitCode));
        },
        closed: finish,
      },
    );
    if (options.signal.aborted) onAbort();
  });
}

/** Signals every process in the group; a group that is already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
