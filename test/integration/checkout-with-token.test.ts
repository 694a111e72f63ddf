/**
 * Fetching a private repository as production does (src/queue/stage-processor.ts):
 * checkoutRepository with the clone URL `${githubServerUrl}/OWNER/REPO.git` and
 * the installation token, here against a git server that, like GitHub's https,
 * answers only requests authenticated as x-access-token with that token.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckoutError, checkoutRepository } from "../../src/queue/checkout-repository.js";
import { startGitHttpServer, type GitHttpServer } from "../helpers/git-http-server.js";

const TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
let root: string;
let server: GitHttpServer;
let sha: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "eve-git-http-"));
  const work = join(root, "work");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: work, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } }).trim();
  execFileSync("git", ["init", "--quiet", "-b", "main", work]);
  writeFileSync(join(work, "README"), "private\n");
  git("add", ".");
  git("commit", "--quiet", "-m", "first");
  sha = git("rev-parse", "HEAD");
  writeFileSync(join(work, "README"), "later\n");
  git("commit", "--quiet", "-am", "second");
  mkdirSync(join(root, "repos", "octo"), { recursive: true });
  git("clone", "--quiet", "--bare", work, join(root, "repos", "octo", "private.git"));
  server = await startGitHttpServer(join(root, "repos"), TOKEN);
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const checkout = (name: string, token: string | undefined) =>
  checkoutRepository({ url: `${server.url}/octo/private.git`, sha, token, dir: join(root, name), signal: new AbortController().signal });

describe("checkoutRepository with an installation token", () => {
  it("fetches the build's commit (not the branch head) from a server that requires the token", async () => {
    await checkout("with-token", TOKEN);

    expect(readFileSync(join(root, "with-token", "README"), "utf8")).toBe("private\n");
    expect(execFileSync("git", ["rev-parse", "HEAD"], { cwd: join(root, "with-token"), encoding: "utf8" }).trim()).toBe(sha);
    expect(server.requests.filter((request) => request.authorized).length).toBeGreaterThan(0);
  });

  it("keeps the token out of the checkout's git config and remote URL", () => {
    const config = readFileSync(join(root, "with-token", ".git", "config"), "utf8");

    expect(config).not.toContain(TOKEN);
    expect(config).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString("base64"));
    expect(config).toContain(`url = ${server.url}/octo/private.git`);
  });

  it.each([
    ["no token", undefined],
    ["a wrong token", "ghs_wrong"],
  ])("fails with %s, at once and without asking for a password", async (_name, token) => {
    const failed = checkout(`refused-${token ?? "none"}`, token);

    await expect(failed).rejects.toBeInstanceOf(CheckoutError);
    await expect(failed).rejects.toThrow(/git fetch failed: .*(Authentication failed|could not read Username|401)/);
  });
});
