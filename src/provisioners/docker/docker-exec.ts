/**
 * Runs one step in a container through `docker exec`, with timeouts and
 * cancel. The engine has no API to kill an exec'd process, so the step runs
 * under the pid-recording sh wrapper of supervise-wrapped-exec.ts and a second
 * exec kills its process group (except what escaped with setsid, which the
 * container's teardown still removes). The pid file lives in /tmp; an image
 * without a writable /tmp runs its steps but cannot have one killed before
 * the container's teardown.
 */
import { killStepCommand, superviseWrappedExec, wrapStepCommand } from "../supervise-wrapped-exec.js";
import type { ExecOptions, ExecResult, OutputStream, StepCommand } from "../types.js";
import type { DockerClient, ExecHandle } from "./docker-client.js";

export interface DockerExecTarget {
  client: DockerClient;
  containerId: string;
  /** Unique per step within the container. */
  pidFile: string;
}

export async function runDockerExec(target: DockerExecTarget, command: StepCommand, options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const handle = await target.client.exec(target.containerId, {
    cmd: wrapStepCommand(command, target.pidFile, options.workdir),
    env: Object.entries(options.env).map(([key, value]) => `${key}=${value}`),
    tty: options.usePty,
  });
  const supervisor = superviseWrappedExec(options, {
    signalStep: (signal) => signalStep(target, signal),
    abandonOutput: () => handle.output.destroy(),
  });
  try {
    await pumpOutput(handle, options.usePty, supervisor.onOutput);
    // A killed step has no exit code to report (and may have left holders of its output behind).
    const exitCode = supervisor.killedBy ? null : await waitForExit(handle);
    return { exitCode, killedBy: supervisor.killedBy, durationMs: Date.now() - started };
  } finally {
    supervisor.dispose();
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
      cmd: killStepCommand(target.pidFile, signal),
      env: [],
      tty: false,
    });
    handle.output.resume();
    await new Promise((resolve) => handle.output.once("close", resolve).once("end", resolve));
  } catch {
    // The container may already be gone (teardown raced the kill): nothing left to signal.
  }
}
