/**
 * Runs one step in the worker container through the Kubernetes exec API,
 * with timeouts and cancel, the way docker-exec.ts does it: the API has no
 * way to signal an exec'd process, so the step runs under the token-marking
 * sh wrapper of supervise-wrapped-exec.ts, and a second exec finds it through
 * /proc and kills its process group (SIGTERM, then SIGKILL after the grace). The exec API has no
 * environment either: the step's variables go through `env`.
 */
import { killStepCommand, pumpOutputStreams, superviseWrappedExec, wrapStepCommand } from "../supervise-wrapped-exec.js";
import type { ExecOptions, ExecResult, StepCommand } from "../types.js";
import type { KubeClient } from "./kube-client.js";

export interface KubeExecTarget {
  client: KubeClient;
  namespace: string;
  pod: string;
  container: string;
  /** Marks the step's processes (supervise-wrapped-exec.ts createStepToken). */
  stepToken: string;
}

export async function runKubeExec(target: KubeExecTarget, command: StepCommand, options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
  const handle = await target.client.exec(
    target.namespace,
    target.pod,
    target.container,
    ["env", ...env, ...wrapStepCommand(command, target.stepToken, options.workdir)],
    options.usePty,
  );
  const supervisor = superviseWrappedExec(options, {
    signalStep: (signal) => signalStep(target, signal),
    abandonOutput: () => handle.close(),
  });
  try {
    await pumpOutputStreams(handle, supervisor.onOutput);
    const { exitCode } = await handle.done;
    // A killed step has no exit code to report, as with docker.
    return { exitCode: supervisor.killedBy ? null : exitCode, killedBy: supervisor.killedBy, durationMs: Date.now() - started };
  } finally {
    supervisor.dispose();
  }
}

async function signalStep(target: KubeExecTarget, signal: "TERM" | "KILL"): Promise<void> {
  try {
    const handle = await target.client.exec(target.namespace, target.pod, target.container, killStepCommand(target.stepToken, signal), false);
    handle.stdout.resume();
    handle.stderr.resume();
    await handle.done;
  } catch {
    // The pod may already be gone (teardown raced the kill): nothing left to signal.
  }
}
