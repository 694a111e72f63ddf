import type { BuildFile } from "../buildfile/types.js";
import type { Provisioner, ResourceLabels } from "../provisioners/types.js";
import type { WorkerType } from "../buildfile/types.js";
import type { BuildResult } from "./results.js";
import type { StepServices } from "./step-services.js";

/** A build's properties: name → value, as Buildbot keeps them (values are JSON). */
export type PropertyValues = Record<string, unknown>;

/** A link a step shows (an uploaded artifact). */
export interface StepLink {
  name: string;
  url: string;
}

/** An artifacts container as a step left it. */
export interface ArtifactsTotal {
  container: string;
  files: number;
  bytes: number;
  /** The container's listing page. */
  url?: string;
}

/** The outcome of one step, as reports show it. */
export interface StepOutcome {
  name: string;
  result: BuildResult;
  durationMs: number;
  /** The command's exit code; null for steps that ran no command, or were killed. */
  exitCode: number | null;
  /** One line saying why, when the result is not success (e.g. "timed out after 1200 s without output"). */
  summary?: string;
  /** Links the step adds (Upload's `urls`). */
  links?: StepLink[];
  /** The build's artifacts container after this step (Upload). */
  artifacts?: ArtifactsTotal;
  /** Test results the step read (JUnitShellCommand): totals and the first failing tests. */
  tests?: TestSummary;
  /** `hideStepIf` was true: the step ran, and summaries leave it out. */
  hidden?: true;
}

/** The tests of one step's reports; the failing ones are bounded, the rest counted. */
export interface TestSummary {
  total: number;
  failures: number;
  errors: number;
  skipped: number;
  /** The first failing or erroring tests, in report order. */
  failed: FailedTest[];
  /** Failing tests beyond `failed`. */
  omitted: number;
}

export interface FailedTest {
  name: string;
  classname: string;
  status: "failed" | "errored";
  message: string;
  /** The failure's text (stack trace), bounded. */
  details: string;
  durationMs?: number;
  /** Repository-relative file and line of the test, from the report or its stack trace. */
  path?: string;
  line?: number;
}

/** The outcome of one stage run. */
export interface StageOutcome {
  name: string;
  result: BuildResult;
  durationMs: number;
  steps: StepOutcome[];
  /** One line for check-run titles, e.g. "failed: step 'tests' exited 2". */
  summary: string;
  /** Properties at the end of the stage (children get a copy of the parent's at trigger time). */
  properties: PropertyValues;
}

/**
 * What the engine tells the outside world while a stage runs. The terminal
 * reporter (CLI) and the check-run reporter (app) implement it. Calls never
 * throw into the engine and never hold it back for long.
 */
export interface StageObserver {
  stageStarted(stage: StageIdentity): void;
  stepStarted(stage: StageIdentity, index: number, name: string): void;
  /** Decoded, secret-masked output text of the running step (arbitrary chunks, not lines). May ask to pause. */
  output(stage: StageIdentity, text: string): void | Promise<void>;
  /** A line Eve itself writes into the stage log (spawn progress, step headers for the log store). */
  info(stage: StageIdentity, line: string): void;
  stepFinished(stage: StageIdentity, index: number, outcome: StepOutcome): void;
  stageFinished(stage: StageIdentity, outcome: StageOutcome): void;
}

export interface StageIdentity {
  build: string;
  stage: string;
  attempt: number;
  run: string;
}

/** Starts triggered stages (in parallel) and, when asked, waits for their outcomes. */
export interface StageLauncher {
  /**
   * Starts every named stage with a copy of `properties`. With `wait`, resolves with
   * the outcomes once all are done; without, resolves once they are started.
   */
  launch(request: LaunchRequest): Promise<StageOutcome[]>;
}

export interface LaunchRequest {
  parent: StageIdentity;
  stages: string[];
  properties: PropertyValues;
  wait: boolean;
  signal: AbortSignal;
  /** Names of the properties the user forced; children keep them (EveProperty must not override them). */
  forcedProperties?: string[];
}

/**
 * Eve's only upward channel (`SetBootstrapProperty[FromCommand]`): a stage
 * of the build writes a property onto its top stage, which applies the writes
 * before each of its steps, so the stages it triggers later get the value.
 */
export interface BootstrapChannel {
  /** Records a write for the build's top stage. */
  write(name: string, value: unknown): Promise<void>;
  /** The writes from the `from`-th on (0-based, in order): the top stage keeps how many it applied. */
  readFrom(from: number): Promise<[name: string, value: unknown][]>;
}

/** Operator settings the engine honours. */
export interface EngineSettings {
  /** Ceiling and default for `maxTime` (Eve MAX_STEP_DURATION, 14400 s). */
  maxStepDurationSec: number;
  /** Buildbot's default `timeout` without output: 1200 s. */
  defaultTimeoutSec: number;
  /** Grace between SIGTERM and SIGKILL when a step is killed. */
  killGraceSec: number;
  /** MasterShellCommand runs on the Eve host only when the operator allows it. */
  allowMasterShellCommand: boolean;
}

export interface SecretSource {
  /** The secret's value, or undefined when unknown. */
  get(name: string): string | undefined;
  /** Every secret value that may appear in output, to be masked. */
  values(): string[];
}

export interface RunStageOptions {
  buildFile: BuildFile;
  stage: StageIdentity;
  /** Properties the stage starts with (Eve's automatic ones, the parent's copy, forced ones). */
  properties: PropertyValues;
  secrets: SecretSource;
  provisioners: ReadonlyMap<WorkerType, Provisioner>;
  launcher: StageLauncher;
  observer: StageObserver;
  settings: EngineSettings;
  /** Instance label for resources. */
  instance: string;
  /** Checkout of the repository at the build's revision on the Eve host, if any. */
  repoDir: string | undefined;
  signal: AbortSignal;
  /** Names of the properties the user forced (force form, `--property`): `EveProperty` steps keep them. */
  forcedProperties?: readonly string[];
  /** The build's bootstrap channel; the top stage applies its writes (`isTopStage`). */
  bootstrap?: BootstrapChannel;
  /** This is the build's top stage (the bootstrap's only stage in Eve): it receives bootstrap writes. */
  isTopStage?: boolean;
  /** The page of a stage run (`buildurl`): its log page in the app; absent for `eve run`. */
  buildUrl?: (run: string) => string;
  /** Services some step types need (Docker* steps, coverage upload); absent ones make those steps fail. */
  services?: StepServices;
}

export type { ResourceLabels };
