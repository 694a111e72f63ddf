/**
 * What docker-exec.ts and kube-exec.ts share. Neither the Docker Engine nor
 * the Kubernetes exec API can signal an exec'd process, so every step runs
 * under a tiny sh wrapper that marks it with `EVE_STEP=<token>` in its
 * environment, enters the workdir and `exec`s the command; an exec process is
 * its own session and process group leader, so a second exec running the kill
 * wrapper finds it through /proc (read-only: nothing is written in the image,
 * whose file system may be read-only and have no /tmp) and signals its
 * process group, reaching everything it started. This module holds both
 * wrappers and the timeouts and cancel around a running step: SIGTERM first,
 * SIGKILL after the grace, then the output given up if it still has not ended.
 */
import { randomBytes } from "node:crypto";
import type { ExecOptions, ExecResult, OutputStream, StepCommand } from "./types.js";

/** $1 step token, $2 workdir, then the command's argv. The wrapper's failures exit 1. */
export const STEP_WRAPPER = 'EVE_STEP=$1; export EVE_STEP; d=$2; shift 2; mkdir -p "$d" 2>/dev/null; cd "$d" || exit 1; exec "$@"';
/**
 * $1 step token, $2 signal name: every process whose environment holds the
 * token (the step, and what it started unless it cleared its environment) is
 * signalled with its process group.
 */
export const KILL_WRAPPER =
  'for e in /proc/[0-9]*/environ; do p=${e%/environ}; p=${p#/proc/}; if tr "\\0" "\\n" <"$e" 2>/dev/null | grep -qx "EVE_STEP=$1"; then kill -s "$2" -- "-$p" 2>/dev/null || kill -s "$2" "$p" 2>/dev/null; fi; done; true';
/** How long to wait, after SIGKILL, for output to end before giving the step up. */
const AFTER_KILL_MS = 3_000;

/** The argv that runs a step under the step wrapper. */
export function wrapStepCommand(command: StepCommand, stepToken: string, workdir: string): string[] {
  const argv = "shell" in command ? ["/bin/sh", "-c", command.shell] : command.argv;
  return ["/bin/sh", "-c", STEP_WRAPPER, "eve-step", stepToken, workdir, ...argv];
}

/** The argv that sends `signal` to the process group of the step marked with `stepToken`. */
export function killStepCommand(stepToken: string, signal: "TERM" | "KILL"): string[] {
  return ["/bin/sh", "-c", KILL_WRAPPER, "eve-kill", stepToken, signal];
}

/** A token marking one step's processes: unguessable, so a step cannot be made to match another's. */
export function createStepToken(): string {
  return randomBytes(12).toString("hex");
}

/** How the supervisor acts on a running step; each provisioner speaks to its own API. */
export interface WrappedExecControl {
  /** Runs the kill wrapper with this signal; never rejects (a gone container has nothing to signal). */
  signalStep(signal: "TERM" | "KILL"): Promise<void>;
  /** Gives up on the step's output, so the reader ends. */
  abandonOutput(): void;
}

/** The timeouts and cancel watching one running step. */
export interface WrappedExecSupervisor {
  /** Why the step was killed, or null while it has not been. */
  readonly killedBy: ExecResult["killedBy"];
  /** Passes one chunk of output on to `options.onOutput`, re-arming the idle timeout. */
  onOutput(chunk: Buffer, stream: OutputStream): Promise<void>;
  /** Clears every timer and the abort listener; call once the step is over. */
  dispose(): void;
}

/** Starts watching a step that has just been started: idle timeout, max time and the abort signal. */
export function superviseWrappedExec(options: ExecOptions, control: WrappedExecControl): WrappedExecSupervisor {
  let killedBy: ExecResult["killedBy"] = null;
  const timers: NodeJS.Timeout[] = [];
  const kill = (reason: NonNullable<ExecResult["killedBy"]>): void => {
    if (killedBy) return;
    killedBy = reason;
    void control.signalStep("TERM");
    timers.push(setTimeout(() => void control.signalStep("KILL"), Math.max(0, options.killGraceMs)));
    timers.push(setTimeout(() => control.abandonOutput(), Math.max(0, options.killGraceMs) + AFTER_KILL_MS));
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

  return {
    get killedBy() {
      return killedBy;
    },
    async onOutput(chunk, stream) {
      armIdle();
      await options.onOutput(chunk, stream);
    },
    dispose() {
      options.signal.removeEventListener("abort", onAbort);
      if (idle) clearTimeout(idle);
      for (const timer of timers) clearTimeout(timer);
    },
  };
}

/**
 * Delivers an exec's two output streams to the supervisor's sink, in arrival
 * order per stream, each chunk delivered before the next is read: a sink that
 * asks to wait holds the remote command back (kube exec, SSH).
 */
export async function pumpOutputStreams(streams: { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream }, sink: (chunk: Buffer, stream: OutputStream) => Promise<void>): Promise<void> {
  let queue = Promise.resolve();
  const pump = async (stream: NodeJS.ReadableStream, name: OutputStream): Promise<void> => {
    for await (const chunk of stream) {
      const next = queue.then(() => sink(chunk as Buffer, name));
      queue = next;
      await next;
    }
  };
  await Promise.all([pump(streams.stdout, "stdout"), pump(streams.stderr, "stderr")]);
}
