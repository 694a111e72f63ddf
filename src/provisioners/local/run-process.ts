/**
 * Runs one command on this host in its own process group, streams its output
 * with backpressure, and kills the whole group on timeout, maxTime or cancel
 * (SIGTERM, then SIGKILL after the grace). Resolves when the process has
 * exited and its output pipes are closed, as Buildbot's worker does.
 */
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { ExecOptions, ExecResult, OutputStream, StepCommand } from "../types.js";

/** setTimeout's ceiling; longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RunProcessOptions extends ExecOptions {
  /** Called with the process group id once the process is started. */
  onGroup?: (pgid: number) => void;
}

export async function runProcess(command: StepCommand, options: RunProcessOptions): Promise<ExecResult> {
  const started = Date.now();
  try {
    await mkdir(options.workdir, { recursive: true });
  } catch (error) {
    await options.onOutput(Buffer.from(`eve: cannot create workdir ${options.workdir}: ${describe(error)}\n`), "stderr");
    return { exitCode: 1, killedBy: null, durationMs: Date.now() - started };
  }
  if (options.signal.aborted) return { exitCode: null, killedBy: "cancel", durationMs: 0 };
  const [file, args] = "shell" in command ? ["/bin/sh", ["-c", command.shell]] : [command.argv[0] ?? "", command.argv.slice(1)];
  return new Promise<ExecResult>((resolve) => {
    const child = spawn(file, args, {
      cwd: options.workdir,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let killedBy: ExecResult["killedBy"] = null;
    let lastOutput = Date.now();
    let idleTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const kill = (reason: NonNullable<ExecResult["killedBy"]>) => {
      if (killedBy !== null || settled || child.pid === undefined) return;
      killedBy = reason;
      signalGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => child.pid !== undefined && signalGroup(child.pid, "SIGKILL"), Math.min(options.killGraceMs, MAX_TIMER_MS));
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

    const pipe = (stream: Readable, name: OutputStream) => {
      stream.on("data", (chunk: Buffer) => {
        lastOutput = Date.now();
        const pending = options.onOutput(chunk, name);
        if (pending) {
          stream.pause();
          void pending.then(
            () => {
              lastOutput = Date.now();
              stream.resume();
            },
            () => stream.resume(),
          );
        }
      });
    };
    pipe(child.stdout, "stdout");
    pipe(child.stderr, "stderr");
    if (child.pid !== undefined) options.onGroup?.(child.pid);

    let spawnFailed = false;
    child.on("error", (error) => {
      spawnFailed = true;
      void Promise.resolve(options.onOutput(Buffer.from(`eve: cannot run '${file}': ${describe(error)}\n`), "stderr")).finally(() =>
        finish(127),
      );
    });
    child.on("close", (code) => spawnFailed || finish(code));
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
