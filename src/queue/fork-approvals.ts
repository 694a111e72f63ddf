/**
 * Approvals of pull requests from forks, per head commit: a maintainer's
 * `/eve approve` lets Eve build that commit only, so code pushed after the
 * approval is not run until someone with write access has looked at it.
 */
import type { StageQueues } from "./queues.js";

/** Longer than a pull request usually waits for review; a later approval is one comment away. */
const TTL_SECONDS = 30 * 24 * 3600;

const key = (queues: StageQueues, kind: string, repositoryId: number, pullRequest: number, sha: string) =>
  `${queues.prefix}:fork-${kind}:${repositoryId}:${pullRequest}:${sha}`;

/** Records `approver`'s approval of the head commit; false when it was approved already. */
export async function approveForkHead(queues: StageQueues, repositoryId: number, pullRequest: number, sha: string, approver: string): Promise<boolean> {
  return (await queues.redis.set(key(queues, "approval", repositoryId, pullRequest, sha), approver, "EX", TTL_SECONDS, "NX")) !== null;
}

/** Who approved the head commit, or undefined when nobody did. */
export async function getForkApproval(queues: StageQueues, repositoryId: number, pullRequest: number, sha: string): Promise<string | undefined> {
  return (await queues.redis.get(key(queues, "approval", repositoryId, pullRequest, sha))) ?? undefined;
}

/** True the first time only: Eve asks for an approval once per head commit, however often GitHub says it changed. */
export async function claimApprovalRequest(queues: StageQueues, repositoryId: number, pullRequest: number, sha: string): Promise<boolean> {
  return (await queues.redis.set(key(queues, "asked", repositoryId, pullRequest, sha), "1", "EX", TTL_SECONDS, "NX")) !== null;
}
