/**
 * Runs one step in a container through `docker exec`, with timeouts and
 * cancel. The engine has no API to kill an exec'd process, so every step runs
 * under a tiny sh wrapper: it writes its pid to a file, enters the workdir and
 * `exec`s the command. A docker exec process is its own session and process
 * group leader, so `kill -- -<pid>` from a second exec reaches the step and
 * everything it started (except what escaped with setsid, which the
 * container's teardown still removes). SIGTERM first, SIGKILL after the grace.
 * The pid file lives in /tmp; an image without a writable /tmp runs its steps
 * but cannot have one killed before the container's teardown.
 */
import type { ExecOptions, ExecResult, OutputStream, StepCommand } from "../types.js";
import type { DockerClient, ExecHandle } from "./docker-client.js";

/** $1 pid file, $2 workdir, then the command's argv. The wrapper's failures exit 1. */
export const STEP_WRAPPER = 'echo $$ >"$1" 2>/dev/null; d=$2; shift 2; mkdir -p "$d" 2>/dev/null; cd "$d" || exit 1; exec "$@"';
/** $1 pid file, $2 signal name. */
export const KILL_WRAPPER = 'p=$(cat "$1" 2>/dev/null) && [ -n "$p" ] && kill -s "$2" -- "-$p" 2>/dev/null';
/** How long to wait, after SIGKILL, for output to end before giving the step up. */
const AFTER_KILL_MS = 3_000;

export interface DockerExecTarget {
  client: DockerClient;
  containerId: string;
  /** Unique per step within the container. */
  pidFile: string;
}

export async function runDockerExec(target: DockerExecTarget, command: StepCommand, options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const argv = "shell" in command ? ["/bin/sh", "-c", command.shell] : command.argv;
  const handle = await target.client.exec(target.containerId, {
    cmd: ["/bin/sh", "-c", STEP_WRAPPER, "eve-step", target.pidFile, options.workdir, ...argv],
    env: Object.entries(options.env).map(([key, value]) => `${key}=${value}`),
    tty: options.usePty,
  });

  let killedBy: ExecResult["killedBy"] = null;
  const timers: NodeJS.Timeout[] = [];
  const kill = (reason: NonNullable<ExecResult["killedBy"]>): void => {
    if (killedBy) return;
    killedBy = reason;
    void signalStep(target, "TERM");
    timers.push(setTimeout(() => void signalStep(target, "KILL"), Math.max(0, options.killGraceMs)));
    timers.push(setTimeout(() => handle.output.destroy(), Math.max(0, options.killGraceMs) + AFTER_KILL_MS));
  };
  let idle: NodeJS.Timeout | undefined;
  const armIdle = (): void => {
    if (idle) clearTimeout(idle);
    if (Number.isFinite(options.timeoutMs) && options.timeoutMs > 0 && !killedBy) idle = setTimeout(() => kill("timeout"), options.timeoutMs);
  };
  const onAbort = (): void => kill("cancel");
  if (Number.isFinite(options.maxTimeMs) && options.maxTimeMs > 0) timers.push(setTimeout(() => kill("maxTime"), options.maxTimeMs));
  armIdle();
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener("abort", onAbort, { once: true });

  try {
    await pumpOutput(handle, options.usePty, async (chunk, stream) => {
      armIdle();
      await options.onOutput(chunk, stream);
    });
    // A killed step has no exit code to report (and may have left holders of its output behind).
    const exitCode = killedBy ? null : await waitForExit(handle);
    return { exitCode, killedBy, durationMs: Date.now() - started };
  } finally {
    options.signal.removeEventListener("abort", onAbort);
    if (idle) clearTimeout(idle);
    for (const timer of timers) clearTimeout(timer);
  }
}

/** Reads the exec's output to its end; the for-await gives the consumer's backpressure to the socket. */
async function pumpOutput(handle: ExecHandle, tty: boolean, sink: (chunk: Buffer, stream: OutputStream) => Promise<void>): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const data of handle.output) {
      const chunk = data as Buffer;
      if (tty) {
        await sink(chunk, "stdout");
        continue;
      }
      // Multiplexed frames: 1 byte stream id, 3 zero bytes, 4 bytes big-endian size.
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const payload = pending.subarray(8, 8 + size);
        const stream: OutputStream = pending[0] === 2 ? "stderr" : "stdout";
        pending = pending.subarray(8 + size);
        if (payload.length > 0) await sink(payload, stream);
      }
    }
  } catch (error) {
    // A destroyed socket after a kill ends the output; anything else is the transport failing.
    if (!handle.output.destroyed) throw error;
  }
}

async function waitForExit(handle: ExecHandle): Promise<number | null> {
  const deadline = Date.now() + 10_000;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    const state = await handle.inspect();
    if (!state.running || Date.now() > deadline) return state.exitCode;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function signalStep(target: DockerExecTarget, signal: "TERM" | "KILL"): Promise<void> {
  try {
    const handle = await target.client.exec(target.containerId, {
      cmd: ["/bin/sh", "-c", KILL_WRAPPER, "eve-kill", target.pidFile, signal],
      env: [],
      tty: false,
    });
    handle.output.resume();
    await new Promise((resolve) => handle.output.once("close", resolve).once("end", resolve));
  } catch {
    // The container may already be gone (teardown raced the kill): nothing left to signal.
  }
}
