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
 * The three queries, run by one shell: forking Eve (tens of MB) holds its thread until the child has
 * exec'd, a few ms on a busy machine, where a shell forks git cheaply. Each answer is followed by NUL,
 * git's exit code and NUL; the directory is the shell's `$1`, never part of the script.
 */
const QUERIES = [
  "log -1 --format=%H%n%cd --date=format-local:%y%m%d%H%M%S",
  // Fails when HEAD is detached.
  "symbolic-ref --short -q HEAD",
  "rev-parse --show-toplevel",
]
  .map((query) => `git -C "$1" ${query} 2>/dev/null; printf '\\000%s\\000' "$?"`)
  .join("; ");

/**
 * Asks git (all fails outside a checkout): `eve run` starts this before the engine's modules are
 * loaded, so that git runs meanwhile. Never rejects.
 */
export async function queryGit(repoDir: string): Promise<GitFacts> {
  const output = await run("/bin/sh", ["-c", QUERIES, "sh", repoDir], { encoding: "utf8" }).then(
    ({ stdout }) => stdout.split("\0"),
    () => [],
  );
  const answer = (index: number) => (output[index * 2 + 1] === "0" ? output[index * 2]?.trim() : undefined);
  const [head, branch, topLevel] = [answer(0), answer(1), answer(2)];
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
