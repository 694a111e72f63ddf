/**
 * `GetArtifactsFromStage` (`stage`, `property`): sets `property` to the
 * container of the last build of this commit whose top stage `stage`
 * succeeded (Eve asked the artifacts service's `last_success`); none (never
 * built, failed, or expired) fails the step saying so.
 */
import { findLastContainer } from "../../artifacts/find-last-container.js";
import { getArtifactsPrefix } from "../artifacts-properties.js";
import type { StepContext, StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";
import { requireName } from "./set-property.js";

export async function getArtifactsFromStage(context: StepContext): Promise<StepRun> {
  const access = context.run.services?.artifacts;
  // `needing("artifacts")` runs this step only with a store.
  if (access === undefined) return { result: "failure", exitCode: null, summary: "no artifact store" };
  const stage = context.params.stage;
  if (typeof stage !== "string" || stage === "") throw new StepConfigError("GetArtifactsFromStage needs 'stage': the top stage whose artifacts to find");
  const property = requireName(context.params.property, context.type);
  const prefix = getArtifactsPrefix(context.properties.snapshot(), stage, access.prefix);
  if (prefix === undefined) {
    const summary = "cannot look up artifacts: this build lacks the commit's properties (git host, product version, commit date, short revision)";
    context.log(summary);
    return { result: "failure", exitCode: null, summary };
  }
  context.log(`Looking for the last successful artifacts of ${prefix}`);
  const exact = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.[0-9]+$`);
  const found = await findLastContainer(access.store, prefix, { successful: true, untrusted: access.untrusted, accept: (container) => exact.test(container.name) });
  if (found === undefined) {
    const summary = `no artifacts found for this commit and stage '${stage}': no build of it succeeded, or its artifacts expired`;
    context.log(summary);
    return { result: "failure", exitCode: null, summary };
  }
  context.properties.set(property, found.name);
  context.log(`${property} = ${found.name}`);
  return { result: "success", exitCode: null };
}
