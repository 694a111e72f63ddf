/**
 * push → a build of the branch tip: read the build file at the pushed commit,
 * validate it, pick the branch's stage, cancel the branch's older builds and
 * enqueue the top stage. Only validates and enqueues: workers run stages.
 */
import type { Context } from "probot";
import { selectStage } from "../buildfile/plan-build.js";
import { FALLBACK_WORKER_TYPE } from "../provisioners/worker-types.js";
import { createBuildProperties } from "../engine/build-properties.js";
import { getProductVersionScriptPath } from "../engine/read-product-version.js";
import { saveBuildFile } from "../queue/build-file-store.js";
import { cancelReportedBuilds, replaceBranchBuild } from "../queue/cancel-builds.js";
import { enqueueStage } from "../queue/enqueue-stage.js";
import { getBuildId, getRunId, type StageJobData } from "../queue/job-data.js";
import type { StageQueues } from "../queue/queues.js";
import type { RunReporter } from "../queue/run-reporter.js";
import { lacksFields, type PayloadFields } from "./check-payload.js";
import { readBuildFile } from "./read-build-file.js";
import { toCommitTimestamp } from "./read-commit-timestamp.js";
import { reportBrokenBuildFile } from "./report-broken-build-file.js";
import { validateAppBuildFile } from "../queue/validated-build-files.js";

export interface PushHandlerOptions {
  queues: StageQueues;
  reporter: RunReporter;
  buildFilePath: string;
  maxStepDurationSec: number;
  /** Web root of GitHub, for the repository URL properties. */
  githubServerUrl: string;
}

/** A delivery id is remembered this long: GitHub redelivers within days. */
const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

/** What the handler reads. */
const FIELDS: PayloadFields = {
  ref: "string",
  after: "string",
  deleted: "boolean?",
  "repository.id": "number",
  "repository.name": "string",
  "repository.full_name": "string",
  "repository.private": "boolean?",
  "repository.owner.login": "string?",
  "installation.id": "number?",
  "head_commit.timestamp": "string?",
};

export function createPushHandler(options: PushHandlerOptions): (context: Context<"push">) => Promise<void> {
  return async (context) => {
    if (lacksFields(context, FIELDS)) return;
    const { payload } = context;
    const branch = payload.ref.startsWith("refs/heads/") ? payload.ref.slice("refs/heads/".length) : undefined;
    const installationId = payload.installation?.id;
    if (branch === undefined || payload.deleted || installationId === undefined) return;
    const { queues } = options;
    const deliveryKey = `${queues.prefix}:delivery:${context.id}`;
    if ((await queues.redis.set(deliveryKey, "1", "EX", DELIVERY_TTL_SECONDS, "NX")) === null) {
      context.log.info(`Delivery ${context.id} already handled`);
      return;
    }
    try {
      await startBuild(context, options, branch, installationId);
    } catch (error) {
      // Let a redelivery try again.
      await queues.redis.del(deliveryKey);
      throw error;
    }
  };
}

async function startBuild(context: Context<"push">, options: PushHandlerOptions, branch: string, installationId: number): Promise<void> {
  const { payload } = context;
  const owner = payload.repository.owner?.login ?? payload.repository.full_name.split("/")[0] ?? "";
  const repo = payload.repository.name;
  const sha = payload.after;
  const path = options.buildFilePath;
  // Both reads at once: a push waits for one round trip to GitHub, not two. Most repositories have no
  // product version script; only those fetch the commit for it. Its failure matters only with a build file.
  const scriptRead = readBuildFile(context, owner, repo, getProductVersionScriptPath(path), sha);
  scriptRead.catch(() => undefined);
  const text = await readBuildFile(context, owner, repo, path, sha);
  if (text === undefined) return;
  const { buildFile, messages } = validateAppBuildFile(text, path);
  if (!buildFile) return reportBrokenBuildFile(context, { owner, repo, sha, path, messages });
  const selected = selectStage(buildFile, branch);
  if (selected.stage === undefined) {
    if (selected.skipped) return;
    return reportBrokenBuildFile(context, { owner, repo, sha, path, messages, title: `${path}: ${selected.reason}` });
  }

  const { queues, reporter } = options;
  const build = getBuildId(context.id);
  const [olderBuilds, buildNumber] = await Promise.all([
    replaceBranchBuild(queues, payload.repository.id, branch, build),
    queues.redis.incr(`${queues.prefix}:buildnumber:${payload.repository.id}`),
    saveBuildFile(queues, build, text, buildFile),
  ]);
  const properties = createBuildProperties({
    branch,
    revision: sha,
    repository: `${options.githubServerUrl}/${owner}/${repo}.git`,
    project: payload.repository.full_name,
    gitOwner: owner,
    gitSlug: repo,
    buildNumber,
    reason: "branch updated",
    stageName: selected.stage,
    eveApiVersion: buildFile.version,
    maxStepDurationSec: options.maxStepDurationSec,
    confPath: path,
    ...toCommitTimestamp(payload.head_commit?.timestamp),
  });
  const stageDef = buildFile.stages.get(selected.stage);
  const script = await scriptRead;
  const data: StageJobData = {
    installationId,
    repository: { owner, name: repo, id: payload.repository.id, private: payload.repository.private !== false },
    sha,
    branch,
    buildFilePath: path,
    stage: { build, stage: selected.stage, attempt: 1, run: getRunId(build, selected.stage, 1, undefined) },
    workerType: stageDef?.worker.type ?? FALLBACK_WORKER_TYPE,
    parent: undefined,
    properties,
    forcedProperties: [],
    checkRunId: undefined,
    createdAt: Date.now(),
    trigger: { kind: "push" },
    ...(script === undefined ? {} : { productVersionScript: true as const }),
  };
  // The older build ends while this one starts: a fan-out's worth of runs to look at does not hold the new build back.
  await Promise.all([enqueueStage(queues, reporter, data), cancelReportedBuilds(queues, reporter, olderBuilds, `superseded by ${sha.slice(0, 7)} on ${branch}`)]);
  context.log.info(`Build ${build}: ${selected.stage} queued for ${owner}/${repo}@${branch} (${sha.slice(0, 7)})`);
}
