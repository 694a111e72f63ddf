/**
 * Runs one step in the worker container through the Kubernetes exec API,
 * with timeouts and cancel, the way docker-exec.ts does it: the API has no
 * way to signal an exec'd process, so the step runs under the same sh wrapper
 * that records its pid, and a second exec kills its process group (SIGTERM,
 * then SIGKILL after the grace). The exec API has no environment either: the
 * step's variables go through `env`.
 */
import { KILL_WRAPPER, STEP_WRAPPER } from "../docker/docker-exec.js";
import type { ExecOptions, ExecResult, OutputStream, StepCommand } from "../types.js";
import type { KubeClient, KubeExecHandle } from "./kube-client.js";

/** How long to wait, after SIGKILL, for the exec to end before giving the step up. */
const AFTER_KILL_MS = 3_000;

export interface KubeExecTarget {
  client: KubeClient;
  namespace: string;
  pod: string;
  container: string;
  /** Unique per step within the container. */
  pidFile: string;
}

export async function runKubeExec(target: KubeExecTarget, command: StepCommand, options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const argv = "shell" in command ? ["/bin/sh", "-c", command.shell] : command.argv;
  const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
  const handle = await target.client.exec(
    target.namespace,
    target.pod,
    target.container,
    ["env", ...env, "/bin/sh", "-c", STEP_WRAPPER, "eve-step", target.pidFile, options.workdir, ...argv],
    options.usePty,
  );

  let killedBy: ExecResult["killedBy"] = null;
  const timers: NodeJS.Timeout[] = [];
  const kill = (reason: NonNullable<ExecResult["killedBy"]>): void => {
    if (killedBy) return;
    killedBy = reason;
    void signalStep(target, "TERM");
    timers.push(setTimeout(() => void signalStep(target, "KILL"), Math.max(0, options.killGraceMs)));
    timers.push(setTimeout(() => handle.close(), Math.max(0, options.killGraceMs) + AFTER_KILL_MS));
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
    await pumpOutput(handle, async (chunk, stream) => {
      armIdle();
      await options.onOutput(chunk, stream);
    });
    const { exitCode } = await handle.done;
    // A killed step has no exit code to report, as with docker.
    return { exitCode: killedBy ? null : exitCode, killedBy, durationMs: Date.now() - started };
  } finally {
    options.signal.removeEventListener("abort", onAbort);
    if (idle) clearTimeout(idle);
    for (const timer of timers) clearTimeout(timer);
  }
}

/** Both streams, in arrival order per stream, each chunk delivered before the next is read. */
async function pumpOutput(handle: KubeExecHandle, sink: (chunk: Buffer, stream: OutputStream) => Promise<void>): Promise<void> {
  let queue = Promise.resolve();
  const pump = async (stream: NodeJS.ReadableStream, name: OutputStream): Promise<void> => {
    for await (const chunk of stream) {
      const next = queue.then(() => sink(chunk as Buffer, name));
      queue = next;
      await next;
    }
  };
  await Promise.all([pump(handle.stdout, "stdout"), pump(handle.stderr, "stderr")]);
}

async function signalStep(target: KubeExecTarget, signal: "TERM" | "KILL"): Promise<void> {
  try {
    const handle = await target.client.exec(target.namespace, target.pod, target.container, ["/bin/sh", "-c", KILL_WRAPPER, "eve-kill", target.pidFile, signal], false);
    handle.stdout.resume();
    handle.stderr.resume();
    await handle.done;
  } catch {
    // The pod may already be gone (teardown raced the kill): nothing left to signal.
  }
}
