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
  const git = async (...args: string[]) => (await run("git", ["-C", repoDir, ...args], { encoding: "utf8" })).stdout.trim();
  // At once: each is a process on the clock of every `eve run`. The branch fails when HEAD is detached.
  const [productVersion, head, branch] = await Promise.all([
    readProductVersion(repoDir, buildFilePath),
    git("log", "-1", "--format=%H%n%cd", "--date=format-local:%y%m%d%H%M%S").catch(() => undefined),
    git("symbolic-ref", "--short", "-q", "HEAD").catch(() => undefined),
  ]);
  const facts: RepoFacts = { productVersion };
  // No commit (not a checkout, or an empty repository): nothing but the product version.
  if (head === undefined) return facts;
  const [revision = "", commitTimestamp = ""] = head.split("\n");
  Object.assign(facts, { revision, commitTimestamp }, branch ? { branch } : {});
  return facts;
}
