/**
 * The build file text a build started with, kept in Redis for its stage runs:
 * every stage of a build runs the same file without asking GitHub again.
 * (Not a secret: it is the repository's own file.)
 */
import type { StageQueues } from "./queues.js";

const TTL_SECONDS = 7 * 24 * 3600;

export async function saveBuildFileText(queues: StageQueues, build: string, text: string): Promise<void> {
  await queues.redis.set(`${queues.prefix}:build:${build}:file`, text, "EX", TTL_SECONDS);
}

export async function loadBuildFileText(queues: StageQueues, build: string): Promise<string | undefined> {
  return (await queues.redis.get(`${queues.prefix}:build:${build}:file`)) ?? undefined;
}
