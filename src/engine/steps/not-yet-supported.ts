/**
 * Steps Eve's format knows but this Eve does not run yet (`Upload`,
 * `GetArtifactsFromStage`, ...): an explicit warning, never a silent skip.
 */
import type { StepContext, StepRun } from "../step-context.js";

export async function notYetSupported(context: StepContext): Promise<StepRun> {
  const summary = `${context.type} is not yet supported by this Eve: step not run`;
  context.log(summary);
  return { result: "warnings", exitCode: null, summary };
}
