/**
 * `DockerBuild` as Eve (`eve/steps/docker_build.py`): `docker build` of
 * `context_dir` (default `.`, in the checkout) tagged `image`, with
 * `dockerfile`, `labels`, `build_args`, and no cache when `is_retry`; a
 * failure sets `DockerBuildFailed` to the image. Runs on the operator's
 * engine, as Eve ran it on its master.
 */
import { pythonStr, pythonTruthy } from "../../buildfile/python-values.js";
import type { StepContext, StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";
import { dockerStepsOf, requireText, optionalText, checkoutOf } from "./docker-step-params.js";

export async function dockerBuild(context: StepContext): Promise<StepRun> {
  const docker = dockerStepsOf(context);
  const image = requireText(context, "image");
  requireText(context, "label");
  const contextDir = optionalText(context, "context_dir") ?? ".";
  const dockerfile = optionalText(context, "dockerfile");
  context.log(`docker build --tag ${image}${dockerfile ? ` --file ${dockerfile}` : ""} ${contextDir}`);
  const built = await docker.build({
    repoDir: checkoutOf(context),
    contextDir,
    dockerfile,
    image,
    labels: readMapping(context.params.labels, "labels"),
    buildArgs: readMapping(context.params.build_args, "build_args"),
    noCache: pythonTruthy(context.params.is_retry),
    onLine: (line) => context.log(line),
    signal: context.signal,
  });
  if (built.ok) return { result: "success", exitCode: null };
  context.properties.set("DockerBuildFailed", image);
  context.log(built.error);
  return { result: "failure", exitCode: null, summary: `docker build of ${image} failed: ${built.error}` };
}

function readMapping(raw: unknown, name: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new StepConfigError(`DockerBuild: ${name} must be a mapping of names to values`);
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, pythonStr(value)]));
}
