/**
 * What Eve's bootstrap reads from the checkout: the revision, its committer
 * date, and the product version from `<build file dir>/get_product_version.sh`
 * (`0.0.0` when absent; it must be 2–4 dot-separated integers).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readProductVersion } from "./read-product-version.js";

const run = promisify(execFile);

export interface RepoFacts {
  /** HEAD's sha; undefined when the directory is not a git checkout. */
  revision?: string;
  /** The current branch; undefined when detached or not a checkout. */
  branch?: string;
  /** Committer date of HEAD as `%y%m%d%H%M%S` (local time), as Eve. */
  commitTimestamp?: string;
  productVersion: string;
}

export async function readRepoFacts(repoDir: string, buildFilePath: string): Promise<RepoFacts> {
  const facts: RepoFacts = { productVersion: await readProductVersion(repoDir, buildFilePath) };
  const git = async (...args: string[]) => (await run("git", ["-C", repoDir, ...args], { encoding: "utf8" })).stdout.trim();
  try {
    facts.revision = await git("rev-parse", "--verify", "HEAD");
    facts.commitTimestamp = await git("log", "-1", "--format=%cd", "--date=format-local:%y%m%d%H%M%S");
  } catch {
    return facts;
  }
  try {
    facts.branch = await git("symbolic-ref", "--short", "-q", "HEAD");
  } catch {
    // Detached HEAD: no branch.
  }
  return facts;
}
