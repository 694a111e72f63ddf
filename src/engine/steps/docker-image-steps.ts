/**
 * Eve's other Docker* steps (`eve/steps/docker_build.py`), on the operator's
 * engine: `DockerCheckLocalImage` and `DockerPull` set `exists_<label>` and
 * succeed either way (the image is then built or not); `DockerPush` fails
 * when the push does; `DockerComputeImageFingerprint` sets
 * `fingerprint_<label>` from the content of the context and its Dockerfile.
 */
import type { StepContext, StepRun } from "../step-context.js";
import { checkoutOf, dockerStepsOf, optionalText, requireText } from "./docker-step-params.js";

export async function dockerCheckLocalImage(context: StepContext): Promise<StepRun> {
  const label = requireText(context, "label");
  const image = requireText(context, "image");
  const exists = await dockerStepsOf(context).exists(image);
  return setExists(context, label, image, exists);
}

export async function dockerPull(context: StepContext): Promise<StepRun> {
  const label = requireText(context, "label");
  const image = requireText(context, "image");
  context.log(`docker pull ${image}`);
  const pulled = await dockerStepsOf(context).pull(image, (line) => context.log(line));
  if (!pulled.ok) context.log(pulled.error);
  return setExists(context, label, image, pulled.ok);
}

export async function dockerPush(context: StepContext): Promise<StepRun> {
  requireText(context, "label");
  const image = requireText(context, "image");
  context.log(`docker push ${image}`);
  const pushed = await dockerStepsOf(context).push(image, (line) => context.log(line));
  if (pushed.ok) return { result: "success", exitCode: null };
  context.log(pushed.error);
  return { result: "failure", exitCode: null, summary: `docker push of ${image} failed: ${pushed.error}` };
}

export async function dockerComputeImageFingerprint(context: StepContext): Promise<StepRun> {
  const label = requireText(context, "label");
  const contextDir = requireText(context, "context_dir");
  const computed = await dockerStepsOf(context).fingerprint(checkoutOf(context), contextDir, optionalText(context, "dockerfile"));
  if (!computed.ok) return { result: "failure", exitCode: null, summary: computed.error };
  context.properties.set(`fingerprint_${label}`, computed.fingerprint);
  context.log(`fingerprint_${label} = ${computed.fingerprint}`);
  return { result: "success", exitCode: null };
}

function setExists(context: StepContext, label: string, image: string, exists: boolean): StepRun {
  context.properties.set(`exists_${label}`, exists);
  context.log(`exists_${label} = ${exists ? "True" : "False"} (${image})`);
  return { result: "success", exitCode: null };
}
