/**
 * Who may see a build's pages is decided from its repository, recorded when
 * the build starts: the webhook says whether the repository is private (a
 * page cannot ask GitHub without knowing the repository, and a repository made
 * public later keeps its old builds' pages private). One small key per run
 * and one per build, so log pages (which know a run) find it, and one per
 * repository (its latest build's), for artifact pages (which know a container
 * named after the repository). A page without a record is treated as unknown (404).
 */
import type { ChainableCommander, Redis } from "ioredis";

/** The repository a build's pages belong to. */
export interface PageTarget {
  build: string;
  owner: string;
  repo: string;
  installationId: number;
  /** Absent in records of an unknown shape: then private, never open. */
  private: boolean;
}

/** Longer than any sensible EVE_LOG_RETENTION_DAYS: past it a page answers 404 (closed, not open). */
export const RUN_ACCESS_TTL_SECONDS = 90 * 24 * 3600;

const runKey = (prefix: string, run: string) => `${prefix}:access:run:${run}`;
const buildKey = (prefix: string, build: string) => `${prefix}:access:build:${build}`;
// GitHub's owner and repository names are case-insensitive.
const repositoryKey = (prefix: string, owner: string, repo: string) => `${prefix}:access:repository:${owner.toLowerCase()}/${repo.toLowerCase()}`;

export async function recordRunAccess(redis: Redis, prefix: string, run: string, target: PageTarget): Promise<void> {
  const multi = redis.multi();
  addRunAccess(multi, prefix, run, target);
  addBuildAccess(multi, prefix, target);
  await multi.exec();
}

/** The run's record, added to the MULTI that enqueues it (with addBuildAccess, once for the runs of a build). */
export function addRunAccess(multi: ChainableCommander, prefix: string, run: string, target: PageTarget): void {
  multi.set(runKey(prefix, run), JSON.stringify(target), "EX", RUN_ACCESS_TTL_SECONDS);
}

/** The build's and its repository's records, added to the MULTI that enqueues runs of the build. */
export function addBuildAccess(multi: ChainableCommander, prefix: string, target: PageTarget): void {
  const value = JSON.stringify(target);
  multi.set(buildKey(prefix, target.build), value, "EX", RUN_ACCESS_TTL_SECONDS).set(repositoryKey(prefix, target.owner, target.repo), value, "EX", RUN_ACCESS_TTL_SECONDS);
}

export async function getRunAccess(redis: Redis, prefix: string, run: string): Promise<PageTarget | undefined> {
  return parseTarget(await redis.get(runKey(prefix, run)));
}

export async function getBuildAccess(redis: Redis, prefix: string, build: string): Promise<PageTarget | undefined> {
  return parseTarget(await redis.get(buildKey(prefix, build)));
}

/**
 * A repository's pages (artifact containers, named after the repository)
 * as its latest build recorded them; `build` is the page's own build identity
 * (its container name), which a build token must name.
 */
export async function getRepositoryAccess(redis: Redis, prefix: string, owner: string, repo: string, build: string): Promise<PageTarget | undefined> {
  const target = parseTarget(await redis.get(repositoryKey(prefix, owner, repo)));
  return target && { ...target, build };
}

function parseTarget(text: string | null): PageTarget | undefined {
  if (text === null) return undefined;
  const value = JSON.parse(text) as Partial<PageTarget>;
  if (typeof value.build !== "string" || typeof value.owner !== "string" || typeof value.repo !== "string" || typeof value.installationId !== "number") return undefined;
  return { build: value.build, owner: value.owner, repo: value.repo, installationId: value.installationId, private: value.private !== false };
}
