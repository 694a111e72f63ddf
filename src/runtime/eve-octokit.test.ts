import { afterEach, describe, expect, it } from "vitest";
import { mockGitHub, type GitHubMock } from "../../test/helpers/github-mock.js";
import { createEveOctokit } from "./eve-octokit.js";

let github: GitHubMock | undefined;

afterEach(() => {
  github?.close();
  github = undefined;
});

/** A client as the app builds it, with production's retries and their waits shortened. */
function client() {
  const Octokit = createEveOctokit({ retryAfterBaseMs: 1 });
  return new Octokit({ auth: "ghs_test" });
}

const getStatus = async (octokit: ReturnType<typeof client>): Promise<number> => {
  try {
    return (await octokit.rest.checks.get({ owner: "o", repo: "r", check_run_id: 1 })).status;
  } catch (error) {
    return (error as { status: number }).status;
  }
};

describe("createEveOctokit", () => {
  it("retries a 5xx three times before giving up", async () => {
    github = mockGitHub();
    github.on("checks/get", { status: 502, body: { message: "Bad Gateway" } }, { times: 4 });

    expect(await getStatus(client())).toBe(502);
    expect(github.requestsFor("checks/get")).toHaveLength(4);
    github.assertDone();
  });

  it("succeeds when GitHub answers again within the retries", async () => {
    github = mockGitHub();
    github.on("checks/get", { status: 503, body: { message: "Unavailable" } }, { times: 2 });
    github.on("checks/get", { body: { id: 1 } });

    expect(await getStatus(client())).toBe(200);
    expect(github.requestsFor("checks/get")).toHaveLength(3);
    github.assertDone();
  });

  it.each([404, 422, 429])("leaves a %i to the caller at once (the write queue honours retry-after)", async (status) => {
    github = mockGitHub();
    github.on("checks/get", { status, body: { message: "no" }, headers: { "retry-after": "60" } });

    expect(await getStatus(client())).toBe(status);
    expect(github.requestsFor("checks/get")).toHaveLength(1);
    github.assertDone();
  });
});
