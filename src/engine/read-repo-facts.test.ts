import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { queryGit, readRepoFacts } from "./read-repo-facts.js";
import { useTempDirs } from "../../test/helpers/temp-dirs.js";

const tempDir = useTempDirs("eve-repo-facts-");

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" }).trim();
}

describe("queryGit and readRepoFacts", () => {
  it("read the revision, its committer date, the branch and the top of the checkout from a subdirectory", async () => {
    // A name the shell that runs git must take as it is.
    const repo = join(tempDir(), "my repo $(touch injected) `id`");
    mkdirSync(repo);
    git(repo, "init", "-q", "-b", "feature/x");
    mkdirSync(join(repo, "sub"));
    writeFileSync(join(repo, "sub/f"), "1\n");
    git(repo, "add", ".");
    git(repo, "commit", "-qm", "one");

    const facts = await queryGit(join(repo, "sub"));

    expect(facts).toEqual({ revision: git(repo, "rev-parse", "HEAD"), branch: "feature/x", commitTimestamp: expect.stringMatching(/^\d{12}$/), topLevel: repo });
    // The shell would have run it in its own directory, this process's.
    expect(existsSync("injected")).toBe(false);
    expect(await readRepoFacts(join(repo, "sub"), "eve/main.yml", Promise.resolve(facts))).toEqual({ revision: facts.revision, branch: "feature/x", commitTimestamp: facts.commitTimestamp, productVersion: "0.0.0" });
  });

  it("give no branch on a detached HEAD, and only the top of the checkout before a first commit", async () => {
    const repo = tempDir();
    git(repo, "init", "-q", "-b", "main");
    const empty = await queryGit(repo);
    writeFileSync(join(repo, "f"), "1\n");
    git(repo, "add", ".");
    git(repo, "commit", "-qm", "one");
    git(repo, "checkout", "-q", "--detach");

    const detached = await queryGit(repo);

    expect(empty).toEqual({ topLevel: repo });
    expect(detached).toEqual({ revision: git(repo, "rev-parse", "HEAD"), commitTimestamp: expect.stringMatching(/^\d{12}$/), topLevel: repo });
  });

  it("give nothing outside a checkout", async () => {
    const dir = tempDir();
    // Even where the temporary directory is inside a checkout.
    vi.stubEnv("GIT_CEILING_DIRECTORIES", dirname(dir));

    expect(await queryGit(dir)).toEqual({});
    expect(await readRepoFacts(dir, "eve/main.yml")).toEqual({ productVersion: "0.0.0" });
  });
});
