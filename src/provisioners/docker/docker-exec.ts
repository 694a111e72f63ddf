/**
 * Runs one step in a container through `docker exec`, with timeouts and
 * cancel. The engine has no API to kill an exec'd process, but its inspect
 * names the exec's host pid: when Eve runs beside the engine (same pid
 * namespace, allowed to signal it) and that process carries the step's token,
 * Eve signals its process group from the host, whatever the image holds.
 * Otherwise a second exec runs the kill wrapper of supervise-wrapped-exec.ts,
 * which finds the step through /proc. Neither writes in the image. What
 * escaped with setsid is removed by the container's teardown.
 */
import { readFile } from "node:fs/promises";
import { killStepCommand, superviseWrappedExec, wrapStepCommand } from "../supervise-wrapped-exec.js";
import type { ExecOptions, ExecResult, OutputStream, StepCommand } from "../types.js";
import type { DockerClient, ExecHandle } from "./docker-client.js";

export interface DockerExecTarget {
  client: DockerClient;
  containerId: string;
  /** Marks the step's processes (supervise-wrapped-exec.ts createStepToken). */
  stepToken: string;
}

export async function runDockerExec(target: DockerExecTarget, command: StepCommand, options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const handle = await target.client.exec(target.containerId, {
    cmd: wrapStepCommand(command, target.stepToken, options.workdir),
    env: Object.entries(options.env).map(([key, value]) => `${key}=${value}`),
    tty: options.usePty,
  });
  const supervisor = superviseWrappedExec(options, {
    signalStep: async (signal) => {
      if (!(await signalFromHost(handle, target.stepToken, signal))) await signalInContainer(target, signal);
    },
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

/**
 * Signals the step's process group from the host; false when that cannot be
 * done safely: the exec is over, or the engine's pid is not this step's
 * process here (Eve in another pid namespace or host than the engine), or Eve
 * may not signal it.
 */
async function signalFromHost(handle: ExecHandle, stepToken: string, signal: "TERM" | "KILL"): Promise<boolean> {
  try {
    const { pid } = await handle.inspect();
    if (!Number.isInteger(pid) || pid <= 1) return false;
    const environ = await readFile(`/proc/${pid}/environ`);
    if (!environ.toString("latin1").split("\0").includes(`EVE_STEP=${stepToken}`)) return false;
    process.kill(-pid, `SIG${signal}`);
    return true;
  } catch {
    return false;
  }
}

async function signalInContainer(target: DockerExecTarget, signal: "TERM" | "KILL"): Promise<void> {
  try {
    const handle = await target.client.exec(target.containerId, {
      cmd: killStepCommand(target.stepToken, signal),
      env: [],
      tty: false,
    });
    handle.output.resume();
    await new Promise((resolve) => handle.output.once("close", resolve).once("end", resolve));
  } catch {
    // The container may already be gone (teardown raced the kill): nothing left to signal.
  }
}
