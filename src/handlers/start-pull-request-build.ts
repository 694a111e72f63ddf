/**
 * A build of a pull request from a fork: no push reaches the base repository,
 * so Eve builds the pull request's head commit (fetched from
 * `refs/pull/<n>/head` of the base repository) as an untrusted build: no
 * secrets, no trusted-only worker types. The fork's branch picks the stage,
 * as a push to that branch would; a newer head cancels the older build.
 */
import type { Context } from "probot";
import { selectStage } from "../buildfile/plan-build.js";
import { FALLBACK_WORKER_TYPE } from "../provisioners/worker-types.js";
import { createBuildProperties } from "../engine/build-properties.js";
import { saveBuildFile } from "../queue/build-file-store.js";
import { cancelReportedBuilds, replaceBranchBuild } from "../queue/cancel-builds.js";
import { enqueueStage } from "../queue/enqueue-stage.js";
import { getBuildId, getRunId, type RepositoryRef, type StageJobData } from "../queue/job-data.js";
import type { PushHandlerOptions } from "./on-push.js";
import { readBuildFile } from "./read-build-file.js";
import { readCommitTimestamp } from "./read-commit-timestamp.js";
import { reportBrokenBuildFile } from "./report-broken-build-file.js";
import { validateAppBuildFile } from "../queue/validated-build-files.js";

/** The head of a pull request from a fork, in the base repository. */
export interface PullRequestHead {
  installationId: number;
  /** The base repository: where the check runs go and the code is fetched from. */
  repository: RepositoryRef;
  number: number;
  sha: string;
  /** The fork's branch name. */
  branch: string;
}

export type PullRequestBuildStart = { started: true; build: string; stage: string } | { started: false; reason: string };

export async function startPullRequestBuild(
  context: Pick<Context, "octokit">,
  options: PushHandlerOptions,
  head: PullRequestHead,
  deliveryId: string,
  approvedBy?: string,
): Promise<PullRequestBuildStart> {
  const { owner, name: repo, id: repositoryId } = head.repository;
  const path = options.buildFilePath;
  const text = await readBuildFile(context, owner, repo, path, head.sha);
  if (text === undefined) return { started: false, reason: `there is no \`${path}\` at ${head.sha.slice(0, 7)}` };
  const { buildFile, messages } = validateAppBuildFile(text, path);
  if (!buildFile) {
    await reportBrokenBuildFile(context, { owner, repo, sha: head.sha, path, messages });
    return { started: false, reason: `\`${path}\` is not valid (see its check run)` };
  }
  const selected = selectStage(buildFile, head.branch);
  if (selected.stage === undefined) return { started: false, reason: `\`${path}\` builds nothing for branch \`${head.branch}\`` };

  const { queues, reporter } = options;
  const build = getBuildId(deliveryId);
  const olderBuilds = await replaceBranchBuild(queues, repositoryId, `pull/${head.number}`, build);
  await saveBuildFile(queues, build, text, buildFile);
  const buildNumber = await queues.redis.incr(`${queues.prefix}:buildnumber:${repositoryId}`);
  const properties = createBuildProperties({
    branch: head.branch,
    revision: head.sha,
    repository: `${options.githubServerUrl}/${owner}/${repo}.git`,
    project: `${owner}/${repo}`,
    gitOwner: owner,
    gitSlug: repo,
    buildNumber,
    reason: `pull request #${head.number} from a fork`,
    stageName: selected.stage,
    eveApiVersion: buildFile.version,
    maxStepDurationSec: options.maxStepDurationSec,
    confPath: path,
    ...(await readCommitTimestamp(context, owner, repo, head.sha)),
  });
  const data: StageJobData = {
    installationId: head.installationId,
    repository: head.repository,
    sha: head.sha,
    branch: head.branch,
    buildFilePath: path,
    stage: { build, stage: selected.stage, attempt: 1, run: getRunId(build, selected.stage, 1, undefined) },
    workerType: buildFile.stages.get(selected.stage)?.worker.type ?? FALLBACK_WORKER_TYPE,
    parent: undefined,
    properties,
    forcedProperties: [],
    checkRunId: undefined,
    createdAt: Date.now(),
    trigger: approvedBy === undefined ? { kind: "pull_request" } : { kind: "approval", by: approvedBy },
    untrusted: true,
    pullRequest: head.number,
  };
  // As a push's: the older build ends while this one starts.
  await Promise.all([enqueueStage(queues, reporter, data), cancelReportedBuilds(queues, reporter, olderBuilds, `superseded by ${head.sha.slice(0, 7)} on pull request #${head.number}`)]);
  return { started: true, build, stage: selected.stage };
}
