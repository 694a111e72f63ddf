/**
 * Runs one step of a stage: interpolates its params with the properties of
 * the moment, reads its options, evaluates `doStepIf`, runs its
 * implementation and turns any error into the step's `exception` result.
 */
import { posix } from "node:path";
import { interpolateDeep, InterpolationError } from "../buildfile/interpolate.js";
import { getStepType } from "../buildfile/step-catalog.js";
import type { StepDef } from "../buildfile/types.js";
import { createOutputPipeline } from "../logs/output-pipeline.js";
import type { SecretMasker } from "../logs/secret-masker.js";
import { DEFAULT_WORKDIR, ProvisionError, type Workspace } from "../provisioners/types.js";
import type { ResultFlags } from "./compute-result.js";
import { collectLogfiles } from "./collect-logfiles.js";
import { evaluateDoStepIf } from "./do-step-if.js";
import type { Properties } from "./properties.js";
import { describeCommand, type StepContext, type StepRun } from "./step-context.js";
import { DEFAULT_RESULT_FLAGS, readStepOptions, StepConfigError } from "./step-options.js";
import { resolveStepRunner } from "./step-runners.js";
import type { RunStageOptions, StepOutcome, TestSummary } from "./types.js";

/** A property is a value, not a log: captured stdout stops here. */
const CAPTURE_LIMIT = 16 * 1024 * 1024;

/** What a stage shares with its steps. */
export interface StageRuntime {
  run: RunStageOptions;
  properties: Properties;
  workspace: Workspace;
  /** Masks secrets in Eve's own lines (command lines). */
  masker: SecretMasker;
}

export interface StepExecution {
  outcome: StepOutcome;
  /** How the result counts for the stage. */
  flags: ResultFlags;
}

export async function runStep(runtime: StageRuntime, def: StepDef, name: string): Promise<StepExecution> {
  const started = Date.now();
  const finish = (step: StepRun, flags: ResultFlags): StepExecution => {
    const outcome: StepOutcome = { name, result: step.result, durationMs: Date.now() - started, exitCode: step.exitCode };
    if (step.summary !== undefined) outcome.summary = runtime.masker.mask(step.summary);
    if (step.links !== undefined) outcome.links = step.links.map((link) => ({ name: runtime.masker.mask(link.name), url: link.url }));
    if (step.artifacts !== undefined) outcome.artifacts = step.artifacts;
    if (step.tests !== undefined) outcome.tests = maskTests(step.tests, runtime.masker);
    return { outcome, flags };
  };
  let flags: ResultFlags = DEFAULT_RESULT_FLAGS;
  try {
    const runner = resolveStepRunner(def.type);
    const source = runtime.properties.interpolationSource(runtime.run.secrets);
    const { doStepIf, hideStepIf, ...rest } = def.params;
    const params = interpolateDeep(rest, source) as Record<string, unknown>;
    const options = readStepOptions(params, runtime.run.settings, flags);
    if (getStepType(def.type)?.alwaysHalts) options.haltOnFailure = true;
    flags = options;
    if (doStepIf !== undefined && !evaluateDoStepIf(doStepIf, source)) return finish({ result: "skipped", exitCode: null }, flags);
    const context = createStepContext(runtime, def.type, params, options);
    const step = await runner(context);
    if (params.logfiles !== undefined && !runtime.run.signal.aborted) await collectLogfiles(context);
    const ran = finish(runtime.run.signal.aborted ? { ...step, result: "cancelled" } : step, flags);
    // Buildbot renders hideStepIf once the step is done: it may read what the step set.
    if (hideStepIf !== undefined && evaluateDoStepIf(hideStepIf, source, "hideStepIf")) ran.outcome.hidden = true;
    return ran;
  } catch (error) {
    if (runtime.run.signal.aborted) return finish({ result: "cancelled", exitCode: null, summary: "cancelled" }, flags);
    return finish({ result: "exception", exitCode: null, summary: describeError(error) }, flags);
  }
}

function createStepContext(runtime: StageRuntime, type: string, params: Record<string, unknown>, options: StepContext["options"]): StepContext {
  const { run, workspace, masker } = runtime;
  const workdir = posix.resolve(workspace.builderDir, options.workdir ?? DEFAULT_WORKDIR);
  const log = (line: string) => run.observer.info(run.stage, masker.mask(line));
  return {
    type,
    params,
    options,
    properties: runtime.properties,
    stage: run.stage,
    run,
    workspace,
    workdir,
    signal: run.signal,
    log,
    async exec(command, execOptions) {
      const pipeline = createOutputPipeline({
        secrets: run.secrets.values(),
        sink: (text) => run.observer.output(run.stage, text),
        captureStdoutBytes: execOptions?.captureStdout ? CAPTURE_LIMIT : 0,
      });
      log(`$ ${execOptions?.display ?? describeCommand(command)}`);
      const result = await workspace.exec(command, {
        workdir,
        env: options.env,
        timeoutMs: options.timeoutMs,
        maxTimeMs: options.maxTimeMs,
        killGraceMs: options.killGraceMs,
        usePty: options.usePty,
        onOutput: pipeline.write,
        signal: run.signal,
      });
      await pipeline.end();
      const stdout = pipeline.capturedStdout();
      return stdout === undefined ? result : { ...result, stdout };
    },
  };
}

/** Test names and messages are the build's output: secrets in them are masked as in the log. */
function maskTests(tests: TestSummary, masker: SecretMasker): TestSummary {
  const failed = tests.failed.map((test) => ({ ...test, name: masker.mask(test.name), classname: masker.mask(test.classname), message: masker.mask(test.message), details: masker.mask(test.details) }));
  return { ...tests, failed };
}

function describeError(error: unknown): string {
  if (error instanceof StepConfigError || error instanceof InterpolationError) return error.message;
  if (error instanceof ProvisionError) return `worker failure: ${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`;
  return `internal error: ${error instanceof Error ? error.message : String(error)}`;
}

