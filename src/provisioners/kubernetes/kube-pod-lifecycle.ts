/**
 * A worker pod's start and end. Start: poll until the pod runs (bounded
 * polling works the same on every cluster and proxy, where watches may be
 * cut); a pod that cannot start (image pull errors, crashes, a failed pod,
 * or not Running by the deadline, e.g. unschedulable) fails with its reason
 * and the last lines of the failing container's log. End: delete, wait for
 * it to go, force-delete (grace 0) after the grace (Eve's EVE-1008).
 */
import { ProvisionError } from "../types.js";
import type { KubeClient, PodState } from "./kube-client.js";

/** Waiting reasons that no amount of waiting fixes. */
const FATAL_WAITING = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "CrashLoopBackOff", "RunContainerError"]);
const LOG_LINES = 100;

export interface PodRef {
  client: KubeClient;
  namespace: string;
  name: string;
}

export async function waitForPodRunning(pod: PodRef, worker: string, timeoutMs: number, signal: AbortSignal, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    if (signal.aborted) throw new ProvisionError("the stage was cancelled while its pod was starting", { cause: signal.reason });
    const state = await pod.client.readPod(pod.namespace, pod.name);
    if (!state) throw new ProvisionError(`pod ${pod.name} disappeared while starting`);
    const progress = describeState(state);
    if (progress !== last) log(`eve: pod ${pod.name}: ${progress}`);
    last = progress;
    const failure = failureOf(state);
    if (failure) throw new ProvisionError(`pod ${pod.name} cannot start: ${failure.reason}${await logTail(pod, failure.container)}`);
    const workerState = state.containers.find((c) => c.name === worker);
    if (state.phase === "Running" && workerState?.state === "running") return;
    if (Date.now() > deadline) throw new ProvisionError(`pod ${pod.name} did not start within ${Math.round(timeoutMs / 1000)} s: ${progress}`);
    await sleep(delay, signal);
  }
}

/** Deletes the pod and waits for it to go; force-deletes after the grace. Idempotent. */
export async function deletePod(pod: PodRef, graceMs: number): Promise<void> {
  if (!(await pod.client.deletePod(pod.namespace, pod.name))) return;
  const deadline = Date.now() + graceMs;
  for (let delay = 100; Date.now() < deadline; delay = Math.min(delay * 2, 2_000)) {
    if (!(await pod.client.readPod(pod.namespace, pod.name))) return;
    await sleep(delay);
  }
  await pod.client.deletePod(pod.namespace, pod.name, 0);
}

function failureOf(state: PodState): { reason: string; container: string | undefined } | undefined {
  for (const c of state.containers) {
    if (c.state === "waiting" && c.reason && FATAL_WAITING.has(c.reason)) return { reason: `container '${c.name}': ${c.reason}${c.message ? ` (${c.message})` : ""}`, container: c.name };
    if (c.state === "terminated") return { reason: `container '${c.name}' terminated: ${c.reason ?? "exited"}, exit code ${c.exitCode ?? "unknown"}${c.message ? ` (${c.message})` : ""}`, container: c.name };
  }
  if (state.phase === "Failed" || state.phase === "Succeeded") return { reason: `the pod ${state.phase === "Failed" ? "failed" : "ended"}${state.reason ? `: ${state.reason}` : ""}${state.message ? ` (${state.message})` : ""}`, container: undefined };
  return undefined;
}

function describeState(state: PodState): string {
  const containers = state.containers.map((c) => `${c.name} ${c.state}${c.reason ? ` (${c.reason})` : ""}`).join(", ");
  const conditions = state.failedConditions.map((c) => `${c.type}: ${c.reason ?? "False"}${c.message ? ` (${c.message})` : ""}`).join(", ");
  return [state.phase, containers, conditions].filter((part) => part !== "").join("; ");
}

async function logTail(pod: PodRef, container: string | undefined): Promise<string> {
  if (!container) return "";
  const text = (await pod.client.podLog(pod.namespace, pod.name, container, LOG_LINES)).trimEnd();
  return text ? `\nlast lines of container '${container}':\n${text}` : "";
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
