/** What every Docker* step reads: the engine service, its text parameters, the checkout on the Eve host. */
import { pythonStr } from "../../buildfile/python-values.js";
import type { DockerStepsAccess } from "../../provisioners/docker/docker-steps-access.js";
import type { StepContext } from "../step-context.js";
import { StepConfigError } from "../step-options.js";

/** The service; the catalog's `needs` has already failed the step when the operator did not enable it. */
export function dockerStepsOf(context: StepContext): DockerStepsAccess {
  const docker = context.run.services?.docker;
  if (!docker) throw new StepConfigError(`${context.type}: this Eve has no Docker Engine for Docker* steps`);
  return docker;
}

export function requireText(context: StepContext, name: string): string {
  const value = optionalText(context, name);
  if (value === undefined) throw new StepConfigError(`${context.type} needs '${name}'`);
  return value;
}

export function optionalText(context: StepContext, name: string): string | undefined {
  const value = context.params[name];
  return value === undefined || value === null || value === "" ? undefined : pythonStr(value);
}

/** Contexts and Dockerfiles are read from the repository checkout on the Eve host, as Eve read the bootstrap's. */
export function checkoutOf(context: StepContext): string {
  const repoDir = context.run.repoDir;
  if (repoDir === undefined) throw new StepConfigError(`${context.type} needs the repository checkout on the Eve host, which this run has not`);
  return repoDir;
}
