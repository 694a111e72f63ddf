/**
 * `Upload` (`source`, `urls`, `maxTime`, `retry`), as Eve: every file under
 * `source` (relative to `build/`, or absolute) goes into the build's artifacts
 * container; files matching `urls` become links. The files leave the worker as
 * a tar stream over the workspace's exec, so no worker needs a network path to
 * Eve. Always halts the stage on failure; a failed upload is tried again after
 * `retry`'s delay, and leaves nothing of itself in the container.
 */
import { posix } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pythonStr } from "../../buildfile/python-values.js";
import type { StepContext, StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";
import { getBuildContainer } from "../upload/build-container.js";
import { uploadOnce } from "../upload/upload-once.js";
import { readUrlsParam } from "../upload/upload-links.js";

/** Eve's `DEFAULT_UPLOAD_MAX_TIME`, seconds; the command gets 10 s more. */
const DEFAULT_MAX_TIME_SEC = 3600;

export async function upload(context: StepContext): Promise<StepRun> {
  const access = context.run.services?.artifacts;
  // `needing("artifacts")` runs this step only with a store.
  if (access === undefined) return { result: "failure", exitCode: null, summary: "no artifact store" };
  const source = context.params.source;
  if (typeof source !== "string" || source === "") throw new StepConfigError("Upload needs 'source': the directory to upload");
  const urls = readUrlsParam(context.params.urls);
  const { delaySec, repeats } = readRetry(context.params.retry);
  const maxTimeSec = Object.hasOwn(context.params, "maxTime") ? context.options.maxTimeMs / 1000 : DEFAULT_MAX_TIME_SEC;
  const container = getBuildContainer(context.properties, access);
  if ("problem" in container) {
    context.log(container.problem);
    return { result: "failure", exitCode: null, summary: container.problem };
  }
  const workspace = context.workspace;
  // Python's os.path.join, as Eve: an absolute source replaces `build`.
  const workdir = posix.resolve(workspace.builderDir, context.options.workdir ?? (posix.isAbsolute(source) ? source : posix.join("build", source)));
  // A worker on the Eve host (local): only its builder directory is the build's. Other workers are the build's whole.
  const root = workspace.onEveHost === true ? workspace.builderDir : "/";
  const meta = { buildId: context.stage.build, ...(container.stage ? { stage: container.stage } : {}), ...commitOf(context) };

  for (let attempt = 0; ; attempt++) {
    const run = await uploadOnce(context, { access, container: container.name, meta, workdir, root, urls, maxTimeMs: (maxTimeSec + 10) * 1000 });
    if (run.result === "success" || run.result === "cancelled" || attempt >= repeats) return run;
    context.log(`Upload failed (${run.summary ?? run.result}); trying again in ${delaySec} s (${repeats - attempt} ${repeats - attempt === 1 ? "try" : "tries"} left)`);
    try {
      await sleep(delaySec * 1000, undefined, { signal: context.signal });
    } catch {
      return { result: "cancelled", exitCode: null, summary: "cancelled" };
    }
  }
}

/** `retry`: `[delay seconds, repeats]`, Eve's default `(0, 1)`: one more try at once. */
function readRetry(raw: unknown): { delaySec: number; repeats: number } {
  if (raw === undefined || raw === null) return { delaySec: 0, repeats: 1 };
  if (Array.isArray(raw) && raw.length === 2) {
    const [delay, repeats] = raw.map((value: unknown) => (typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value));
    if (typeof delay === "number" && typeof repeats === "number" && delay >= 0 && repeats >= 0 && Number.isFinite(delay) && Number.isInteger(repeats)) return { delaySec: delay, repeats };
  }
  throw new StepConfigError(`retry must be [delay in seconds, number of retries], not ${pythonStr(raw)}`);
}

function commitOf(context: StepContext): { commit?: string } {
  const revision = context.properties.get("revision");
  return typeof revision === "string" && revision !== "" ? { commit: revision } : {};
}
