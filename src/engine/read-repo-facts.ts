/**
 * What Eve's bootstrap reads from the checkout: the revision, its committer
 * date, and the product version from `<build file dir>/get_product_version.sh`
 * (`0.0.0` when absent; it must be 2–4 dot-separated integers).
 */
import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

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

/** A product version that is not 2–4 dot-separated integers fails the bootstrap, as in Eve. */
export class ProductVersionError extends Error {
  override readonly name = "ProductVersionError";
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

async function readProductVersion(repoDir: string, buildFilePath: string): Promise<string> {
  const script = join(dirname(join(repoDir, buildFilePath)), "get_product_version.sh");
  try {
    await access(script, constants.F_OK);
  } catch {
    return "0.0.0";
  }
  let version: string;
  try {
    version = (await run("sh", [script], { cwd: repoDir, encoding: "utf8", timeout: 60_000 })).stdout.trim();
  } catch (error) {
    throw new ProductVersionError(`${script} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!/^\d+(\.\d+){1,3}$/.test(version)) throw new ProductVersionError(`${script} printed '${version}': expected 2 to 4 dot-separated integers`);
  return version;
}
