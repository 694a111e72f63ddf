import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { mockGitHub, type GitHubMock } from "./github-mock.js";

const repo = { owner: "scality", repo: "eve-test" };
let github: GitHubMock | undefined;

afterEach(() => github?.close());

function annotation(i: number) {
  return { path: "src/a.c", start_line: i, end_line: i, annotation_level: "failure" as const, message: `m${i}` };
}

describe("mockGitHub", () => {
  it("records a valid request and replies", async () => {
    github = mockGitHub().on("checks/create", { body: { id: 7 } });
    const octokit = new Octokit({ auth: "t" });

    const response = await octokit.rest.checks.create({ ...repo, name: "pre-merge", head_sha: "a".repeat(40) });

    expect(response.status).toBe(201);
    expect(response.data).toEqual({ id: 7 });
    expect(github.requestsFor("checks/create")[0]).toMatchObject({ params: { ...repo }, body: { name: "pre-merge" } });
    github.assertDone();
  });

  it("answers 422 and fails assertDone when GitHub's schema rejects the body", async () => {
    github = mockGitHub().on("checks/update");
    const octokit = new Octokit({ auth: "t", request: { retries: 0 } });
    const output = { title: "t", summary: "s", annotations: Array.from({ length: 51 }, (_, i) => annotation(i + 1)) };

    await expect(octokit.rest.checks.update({ ...repo, check_run_id: 1, output })).rejects.toMatchObject({ status: 422 });

    expect(() => github?.assertDone()).toThrow(/must NOT have more than 50 items/);
  });

  it("rejects a commit status description over 140 characters", async () => {
    github = mockGitHub().on("repos/create-commit-status");
    const octokit = new Octokit({ auth: "t" });

    await expect(
      octokit.rest.repos.createCommitStatus({ ...repo, sha: "b".repeat(40), state: "success", description: "x".repeat(141) }),
    ).rejects.toMatchObject({ status: 422 });

    expect(() => github?.assertDone()).toThrow(/description must NOT have more than 140 characters/);
  });

  it("reports unused mocks and unmatched requests", async () => {
    github = mockGitHub().on("issues/create-comment");
    const octokit = new Octokit({ auth: "t" });

    await expect(octokit.rest.pulls.get({ ...repo, pull_number: 1 })).rejects.toThrow();

    expect(() => github?.assertDone()).toThrow(/unmatched request: GET .*pulls\/1[\s\S]*unused mock/);
  });

  it("serves a GitHub Enterprise base URL, matches path params and persists", async () => {
    github = mockGitHub({ baseUrl: "http://ghe.test/api/v3" }).on(
      "repos/get-content",
      (req) => ({ body: { path: req.params.path, ref: req.query.get("ref") } }),
      { persist: true, params: { path: "eve/main.yml" } },
    );
    const octokit = new Octokit({ auth: "t", baseUrl: "http://ghe.test/api/v3" });

    const first = await octokit.rest.repos.getContent({ ...repo, path: "eve/main.yml", ref: "abc" });
    const second = await octokit.rest.repos.getContent({ ...repo, path: "eve/main.yml" });

    expect(first.data).toEqual({ path: "eve/main.yml", ref: "abc" });
    expect(second.data).toEqual({ path: "eve/main.yml", ref: null });
    github.assertDone();
  });
});
