import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkoutRepository } from "./checkout-repository.js";

let root: string | undefined;

afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A base repository whose `main` has one commit and whose refs/pull/7/head holds a fork's commit on top. */
function baseWithPullRequest(): { url: string; mainSha: string; forkSha: string; dir: string } {
  root = mkdtempSync(join(tmpdir(), "eve-checkout-test-"));
  const work = join(root, "work");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: work, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } }).trim();
  execFileSync("git", ["init", "--quiet", "-b", "main", work]);
  writeFileSync(join(work, "file.txt"), "base\n");
  git("add", ".");
  git("commit", "--quiet", "-m", "base");
  const mainSha = git("rev-parse", "HEAD");
  writeFileSync(join(work, "file.txt"), "from the fork\n");
  git("commit", "--quiet", "-am", "fork change");
  const forkSha = git("rev-parse", "HEAD");
  git("update-ref", "refs/pull/7/head", forkSha);
  git("reset", "--quiet", "--hard", mainSha);
  git("clone", "--quiet", "--bare", "--mirror", work, join(root, "base.git"));
  return { url: `file://${join(root, "base.git")}`, mainSha, forkSha, dir: join(root, "checkout") };
}

describe("checkoutRepository", () => {
  it("fetches a fork's commit through the pull request's ref of the base repository", async () => {
    const base = baseWithPullRequest();

    await checkoutRepository({ url: base.url, sha: base.forkSha, token: undefined, dir: base.dir, signal: new AbortController().signal, ref: "refs/pull/7/head" });

    expect(readFileSync(join(base.dir, "file.txt"), "utf8")).toBe("from the fork\n");
  });

  it("asks for the commit itself when the ref has moved on", async () => {
    const base = baseWithPullRequest();

    await checkoutRepository({ url: base.url, sha: base.mainSha, token: undefined, dir: base.dir, signal: new AbortController().signal, ref: "refs/pull/7/head" });

    expect(readFileSync(join(base.dir, "file.txt"), "utf8")).toBe("base\n");
  });
});
