import type { WorkerSpec, WorkerType } from "../buildfile/types.js";

/**
 * Labels stamped on every resource Eve creates (directory marker, container,
 * pod, namespace, VM), so that a reaper can find what a crash left behind.
 */
export interface ResourceLabels {
  /** The Eve installation (setting EVE_INSTANCE), so two Eves on one engine keep apart. */
  instance: string;
  /** The build (one push / one `eve run`). */
  build: string;
  /** The stage name. */
  stage: string;
  /** Attempt number of this stage run, from 1. */
  attempt: number;
  /** Unique id of this stage run; resources are named after it. */
  run: string;
}

/** Where a chunk of output came from. */
export type OutputStream = "stdout" | "stderr";

/**
 * Receives a step's raw output as it is produced. May return a promise to ask
 * the producer to pause until the consumer has caught up (backpressure).
 */
export type OutputSink = (chunk: Buffer, stream: OutputStream) => void | Promise<void>;

/** A step's command: a string runs through `sh -c`, a list is argv. */
export type StepCommand = { shell: string } | { argv: string[] };

export interface ExecOptions {
  /** Absolute path inside the workspace; created if missing. */
  workdir: string;
  /** The complete environment of the process (no inheritance from Eve's own). */
  env: Record<string, string>;
  /** Kill after this long without output (Buildbot `timeout`). */
  timeoutMs: number;
  /** Kill after this long in total (Buildbot `maxTime`). */
  maxTimeMs: number;
  /** Grace between SIGTERM and SIGKILL (Buildbot `sigtermTime`). */
  killGraceMs: number;
  usePty: boolean;
  onOutput: OutputSink;
  /** Aborting kills the process (its whole process group) and resolves with `cancelled`. */
  signal: AbortSignal;
}

export interface ExecResult {
  /** The exit code; null when the process was killed by a signal. */
  exitCode: number | null;
  /** Why Eve killed it, if it did. */
  killedBy: "timeout" | "maxTime" | "cancel" | null;
  durationMs: number;
}

/** Context a provisioner gets to spawn a worker for one stage run. */
export interface SpawnContext {
  labels: ResourceLabels;
  /** Checkout of the repository at the build's revision, on the Eve host (image contexts, pod templates). */
  repoDir: string | undefined;
  /** Interpolates a string with the stage's properties (docker `image`, pod templates). */
  interpolate: (value: string) => string;
  /** Progress lines of spawning (image builds, pod events) go to the stage log. */
  log: (line: string) => void;
  signal: AbortSignal;
}

/** One spawned worker: a directory, a container, a pod, a VM. */
export interface Workspace {
  readonly id: string;
  /** The stage's builder directory inside the worker; a step's default workdir is `<builderDir>/build` (DEFAULT_WORKDIR). */
  readonly builderDir: string;
  /**
   * True when steps run on the Eve host itself (a local worker): only the
   * builder directory is the build's there. Absent: the worker is the build's whole.
   */
  readonly onEveHost?: boolean;
  /** Runs one command. A non-zero exit is data, not a throw; throws only when the worker itself fails. */
  exec(command: StepCommand, options: ExecOptions): Promise<ExecResult>;
  /** Removes everything spawn created. Idempotent, safe to call twice and after a failed spawn. */
  teardown(): Promise<void>;
  /** Properties the worker sets for the stage (e.g. one per `service` namespace of a pod); the engine sets them after spawn. */
  readonly properties?: Readonly<Record<string, unknown>>;
  /** Steps the worker runs before the build's own (openstack `init.sh`, `requirements.sh`), each a step of its own in the stage. */
  readonly preparation?: readonly PreparationStep[];
}

/** A step of the worker's own preparation. Its failure ends the stage `failure` before the build's steps run. */
export interface PreparationStep {
  readonly name: string;
  /** Runs it; `onLine` gets its output line by line. Throws only when the worker itself fails. */
  run(onLine: (line: string) => void | Promise<void>, signal: AbortSignal): Promise<{ exitCode: number | null; summary?: string }>;
}

/** A step's workdir unless it says otherwise, relative to its stage's builder directory (Buildbot's). */
export const DEFAULT_WORKDIR = "build";

export interface Provisioner {
  readonly type: WorkerType;
  spawn(spec: WorkerSpec, context: SpawnContext): Promise<Workspace>;
  /** Throws when the back-end cannot be reached (readiness of a process that runs this type); absent when there is nothing to ask. */
  ping?(): Promise<void>;
  /** Releases what it keeps between stages (the local one's spare builder directories); the process is stopping. */
  close?(): Promise<void>;
}

/** Infrastructure failed (not the build's fault): spawn, exec transport, teardown. */
export class ProvisionError extends Error {
  override readonly name: string = "ProvisionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The worker, as the build file defines it, cannot be spawned: a Dockerfile
 * that does not build, a memory above the maximum, a refused path or volume,
 * a pod template that breaks the rules. The build's fault, not Eve's: the
 * stage ends `failure`, not `exception`.
 */
export class WorkerRefusedError extends ProvisionError {
  override readonly name: string = "WorkerRefusedError";
}
