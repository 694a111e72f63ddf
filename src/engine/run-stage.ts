/**
 * Runs one stage: spawns its worker through the provisioner of its worker
 * type, runs its steps with Buildbot's semantics (halt, flunk, warn,
 * alwaysRun, doStepIf), and tears the worker down in `finally`, always.
 * The stage result is Buildbot's computeResultAndTermination over its steps.
 */
import { interpolate } from "../buildfile/interpolate.js";
import { pythonTruthy } from "../buildfile/python-values.js";
import { SecretMasker } from "../logs/secret-masker.js";
import { WorkerRefusedError, type Workspace } from "../provisioners/types.js";
import { computeResultAndTermination } from "./compute-result.js";
import { readWorkerDistro } from "./read-worker-distro.js";
import { Properties } from "./properties.js";
import { worstResult, type BuildResult } from "./results.js";
import { runStep, type StageRuntime } from "./run-step.js";
import { rawStepName, StepNames } from "./step-names.js";
import type { RunStageOptions, StageOutcome, StepOutcome } from "./types.js";
import { createWorkerUuid } from "./worker-properties.js";

export async function runStage(options: RunStageOptions): Promise<StageOutcome> {
  const started = Date.now();
  const { observer, stage } = options;
  const properties = new Properties(options.properties, options.forcedProperties ?? []);
  properties.set("stage_name", stage.stage);
  properties.set("virtual_builder_name", stage.stage);
  const masker = new SecretMasker(options.secrets.values());
  const steps: StepOutcome[] = [];
  let result: BuildResult = "success";
  let summary = "";
  let workspace: Workspace | undefined;
  observer.stageStarted(stage);
  try {
    const def = options.buildFile.stages.get(stage.stage);
    if (!def) throw new StageError(`stage '${stage.stage}' is not defined in the build file`);
    const provisioner = options.provisioners.get(def.worker.type);
    if (!provisioner) throw new StageError(`this Eve has no '${def.worker.type}' workers`);
    const source = properties.interpolationSource(options.secrets);
    if (options.buildUrl) properties.set("buildurl", options.buildUrl(stage.run));
    workspace = await provisioner.spawn(def.worker, {
      labels: { instance: options.instance, build: stage.build, stage: stage.stage, attempt: stage.attempt, run: stage.run },
      repoDir: options.repoDir,
      interpolate: (value) => interpolate(value, source),
      log: (line) => observer.info(stage, masker.mask(line)),
      signal: options.signal,
    });
    properties.set("builddir", workspace.builderDir);
    properties.set("workername", workspace.id);
    properties.set("worker_uuid", createWorkerUuid(properties.get("repository"), workspace.id));
    for (const [name, value] of Object.entries(workspace.properties ?? {})) properties.set(name, value);
    for (const [name, value] of Object.entries(await readWorkerDistro(workspace, options.signal))) properties.set(name, value);
    const runtime: StageRuntime = { run: options, properties, workspace, masker };
    const names = new StepNames();
    let terminate = false;
    // The worker's own preparation (openstack init.sh, requirements.sh): steps of their own, before the build's.
    const preparation = workspace.preparation ?? [];
    for (const [index, step] of preparation.entries()) {
      if (options.signal.aborted) break;
      const name = names.unique(step.name);
      observer.stepStarted(stage, index, name);
      const begun = Date.now();
      const done = await step.run((line) => observer.output(stage, `${masker.mask(line)}\n`), options.signal);
      const failed = done.exitCode !== 0;
      const outcome: StepOutcome = { name, result: failed ? "failure" : "success", durationMs: Date.now() - begun, exitCode: done.exitCode, ...(failed ? { summary: done.summary ?? "failed" } : {}) };
      steps.push(outcome);
      observer.stepFinished(stage, index, outcome);
      if (failed) {
        result = "failure";
        summary = `step '${name}' ${outcome.summary ?? "failed"}`;
        terminate = true;
        break;
      }
    }
    // Bootstrap writes this top stage has applied (SetBootstrapProperty in the stages it triggered).
    let bootstrapApplied = 0;
    for (const [defIndex, stepDef] of def.steps.entries()) {
      const index = preparation.length + defIndex;
      const name = names.unique(masker.mask(displayName(rawStepName(stepDef), properties, options)));
      const alwaysRun = pythonTruthy(stepDef.params.alwaysRun);
      if (options.signal.aborted || (terminate && !alwaysRun)) {
        const skipped: StepOutcome = { name, result: "skipped", durationMs: 0, exitCode: null, summary: options.signal.aborted ? "cancelled before it ran" : "not run: the stage halted" };
        steps.push(skipped);
        observer.stepFinished(stage, index, skipped);
        continue;
      }
      if (options.isTopStage && options.bootstrap) {
        const writes = await options.bootstrap.readFrom(bootstrapApplied);
        bootstrapApplied += writes.length;
        for (const [property, value] of writes) properties.set(property, value);
      }
      observer.stepStarted(stage, index, name);
      const { outcome, flags } = await runStep(runtime, stepDef, name);
      steps.push(outcome);
      const next = computeResultAndTermination(flags, outcome.result, result);
      // The summary names the step that brought the stage to its (final) worst result.
      if (next.result !== result) summary = `step '${name}' ${outcome.summary ?? outcome.result}`;
      result = next.result;
      terminate ||= next.terminate;
      observer.stepFinished(stage, index, outcome);
    }
  } catch (error) {
    if (options.signal.aborted) result = "cancelled";
    else result = error instanceof WorkerRefusedError ? "failure" : "exception";
    summary = error instanceof StageError || error instanceof WorkerRefusedError ? error.message : `worker failure: ${describe(error)}`;
  } finally {
    if (workspace) {
      try {
        await workspace.teardown();
      } catch (error) {
        result = worstResult(result, "exception");
        summary ||= `teardown failed: ${describe(error)}`;
        observer.info(stage, `teardown failed: ${describe(error)}`);
      }
    }
  }
  if (options.signal.aborted) result = "cancelled";
  const outcome: StageOutcome = {
    name: stage.stage,
    result,
    durationMs: Date.now() - started,
    steps,
    // Worker failures quote their cause, which may quote an interpolated secret (a docker `image`).
    summary: masker.mask(`${result}${summary ? `: ${summary}` : ""}`),
    properties: properties.snapshot(),
  };
  observer.stageFinished(stage, outcome);
  return outcome;
}

/** The stage itself cannot run (not a worker failure): a message for the user. */
class StageError extends Error {
  override readonly name = "StageError";
}

function displayName(raw: string, properties: Properties, options: RunStageOptions): string {
  try {
    return raw.includes("prop:") || raw.includes("secret:") ? interpolate(raw, properties.interpolationSource(options.secrets)) : raw;
  } catch {
    return raw;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
