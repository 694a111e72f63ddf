/**
 * What Eve's bootstrap reads from the checkout: the revision, its committer
 * date, the branch and the top of the checkout (from git), and the product
 * version from `<build file dir>/get_product_version.sh` (`0.0.0` when absent;
 * it must be 2–4 dot-separated integers).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readProductVersion } from "./read-product-version.js";

const run = promisify(execFile);

/** What git says of a checkout: each field undefined where git says nothing (not a checkout, no commit yet). */
export interface GitFacts {
  /** HEAD's sha. */
  revision?: string;
  /** The current branch; undefined when detached. */
  branch?: string;
  /** Committer date of HEAD as `%y%m%d%H%M%S` (local time), as Eve. */
  commitTimestamp?: string;
  /** The top of the checkout. */
  topLevel?: string;
}

export interface RepoFacts extends Omit<GitFacts, "topLevel"> {
  productVersion: string;
}

/**
 * Asks git at once, in parallel: each query is a process on the clock of every `eve run`, which starts
 * them before it loads the engine so that they run meanwhile. Never rejects.
 */
export async function queryGit(repoDir: string): Promise<GitFacts> {
  const git = async (...args: string[]) => (await run("git", ["-C", repoDir, ...args], { encoding: "utf8" })).stdout.trim();
  // The branch fails when HEAD is detached; all fail outside a checkout.
  const [head, branch, topLevel] = await Promise.all([
    git("log", "-1", "--format=%H%n%cd", "--date=format-local:%y%m%d%H%M%S").catch(() => undefined),
    git("symbolic-ref", "--short", "-q", "HEAD").catch(() => undefined),
    git("rev-parse", "--show-toplevel").catch(() => undefined),
  ]);
  const facts: GitFacts = {};
  if (topLevel) facts.topLevel = topLevel;
  // No commit (not a checkout, or an empty repository): no revision, nor branch, as before a first commit.
  if (head === undefined) return facts;
  const [revision = "", commitTimestamp = ""] = head.split("\n");
  return Object.assign(facts, { revision, commitTimestamp }, branch ? { branch } : {});
}

/** `git`: the answers of queryGit, started earlier by the caller. */
export async function readRepoFacts(repoDir: string, buildFilePath: string, git: Promise<GitFacts> = queryGit(repoDir)): Promise<RepoFacts> {
  const [productVersion, known] = await Promise.all([readProductVersion(repoDir, buildFilePath), git]);
  const facts: RepoFacts = { productVersion };
  for (const key of ["revision", "branch", "commitTimestamp"] as const) if (known[key] !== undefined) facts[key] = known[key];
  return facts;
}
