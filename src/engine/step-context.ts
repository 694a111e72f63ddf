/**
 * What a step implementation gets: its interpolated params and options, the
 * stage's properties, and a way to run a command in the stage's workspace
 * with the step's environment, workdir and limits.
 */
import { pythonStr } from "../buildfile/python-values.js";
import type { ExecResult, StepCommand, Workspace } from "../provisioners/types.js";
import type { Properties } from "./properties.js";
import type { BuildResult } from "./results.js";
import type { StepOptions } from "./step-options.js";
import type { ArtifactsTotal, RunStageOptions, StageIdentity, StepLink, TestSummary } from "./types.js";

/** What a step implementation returns. */
export interface StepRun {
  result: BuildResult;
  /** The command's exit code; null when no command ran, or it was killed. */
  exitCode: number | null;
  /** Why, when the result is not success. */
  summary?: string;
  links?: StepLink[];
  artifacts?: ArtifactsTotal;
  /** Test results the step read (JUnitShellCommand). */
  tests?: TestSummary;
}

export interface CommandRun extends ExecResult {
  /** Raw stdout (unmasked), when the step asked to capture it. */
  stdout?: string;
}

export interface StepContext {
  readonly type: string;
  /** The step's params, interpolated with the properties of the moment the step started. */
  readonly params: Record<string, unknown>;
  readonly options: StepOptions;
  readonly properties: Properties;
  readonly stage: StageIdentity;
  readonly run: RunStageOptions;
  readonly workspace: Workspace;
  /** Absolute workdir of the step in the workspace. */
  readonly workdir: string;
  /** Aborted when the stage is cancelled. */
  readonly signal: AbortSignal;
  /**
   * Runs a command with the step's env, workdir and limits; output goes to the stage log, masked.
   * `display` replaces the command in the log's `$ …` header where the real one is a long script.
   */
  exec(command: StepCommand, options?: { captureStdout?: boolean; display?: string }): Promise<CommandRun>;
  /** Writes one line into the stage log (masked). */
  log(line: string): void;
}

export type StepRunner = (context: StepContext) => Promise<StepRun>;

/** How a finished command maps to a step result (Buildbot: rc 0 → SUCCESS, else FAILURE). */
export function commandResult(run: ExecResult, options: StepOptions): StepRun {
  const exitCode = run.exitCode;
  switch (run.killedBy) {
    case "cancel":
      return { result: "cancelled", exitCode, summary: "cancelled" };
    case "timeout":
      return { result: "failure", exitCode, summary: `timed out after ${options.timeoutMs / 1000} s without output` };
    case "maxTime":
      return { result: "failure", exitCode, summary: `killed after maxTime ${options.maxTimeMs / 1000} s` };
    default:
      if (exitCode === 0) return { result: "success", exitCode };
      return { result: "failure", exitCode, summary: exitCode === null ? "killed by a signal" : `exited ${exitCode}` };
  }
}

/** A step's `command` param: a string runs through `sh -c`, a list is argv (nested lists flattened, as Buildbot). */
export function toStepCommand(command: unknown): StepCommand | undefined {
  if (typeof command === "string") return { shell: command };
  if (Array.isArray(command)) {
    const argv = command.flat(Infinity).map((part: unknown) => pythonStr(part));
    return argv.length > 0 ? { argv } : undefined;
  }
  return undefined;
}

/** The command as one display line. */
export function describeCommand(command: StepCommand): string {
  return "shell" in command ? command.shell : command.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}
