/**
 * `TriggerStages`: starts every stage of `stage_names` in parallel, each on
 * its own fresh worker with a copy of this stage's properties. With
 * `waitForFinish` (default true) the step's result is the worst child result.
 */
import { pythonStr, pythonTruthy } from "../../buildfile/python-values.js";
import { worstOf } from "../results.js";
import { TriggerRefusedError } from "../trigger-limits.js";
import type { StepContext, StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";

export async function triggerStages(context: StepContext): Promise<StepRun> {
  const raw = context.params.stage_names;
  if (!Array.isArray(raw) || raw.length === 0) throw new StepConfigError("TriggerStages needs 'stage_names': a list of stage names");
  const stages = raw.map((name) => pythonStr(name));
  const missing = stages.filter((name) => !context.run.buildFile.stages.has(name));
  if (missing.length > 0) throw new StepConfigError(`TriggerStages: no stage named ${missing.map((n) => `'${n}'`).join(", ")} in the build file`);
  const wait = Object.hasOwn(context.params, "waitForFinish") ? pythonTruthy(context.params.waitForFinish) : true;
  context.log(`triggering ${stages.join(", ")}${wait ? "" : " (not waiting)"}`);
  let outcomes;
  try {
    outcomes = await context.run.launcher.launch({
      parent: context.stage,
      stages,
      properties: context.properties.snapshot(),
      forcedProperties: context.properties.forcedNames(),
      wait,
      signal: context.signal,
    });
  } catch (error) {
    if (!(error instanceof TriggerRefusedError)) throw error;
    context.log(`TriggerStages ${error.message}`);
    return { result: "failure", exitCode: null, summary: `TriggerStages ${error.message}` };
  }
  if (!wait) return { result: "success", exitCode: null };
  for (const outcome of outcomes) context.log(`${outcome.name}: ${outcome.result}`);
  const result = context.signal.aborted ? "cancelled" : worstOf(outcomes.map((o) => o.result));
  const bad = outcomes.filter((o) => o.result !== "success" && o.result !== "skipped");
  return bad.length === 0 ? { result, exitCode: null } : { result, exitCode: null, summary: bad.map((o) => `${o.name}: ${o.result}`).join(", ") };
}
