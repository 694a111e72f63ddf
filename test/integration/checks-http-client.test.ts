/**
 * The check-run writes on node:http (src/runtime/checks-http-client.ts) against
 * the HTTP stand-in in GitHub Enterprise's layout: the installation's token
 * minted at the configured API root, the check run created and updated, a refusal
 * rejected with its status and headers as the write queue reads them.
 */
import { generateKeyPairSync } from "node:crypto";
import { Probot } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { createChecksHttpClient, GitHubRequestError } from "../../src/runtime/checks-http-client.js";
import { type AppTokenClient, createInstallationTokens } from "../../src/runtime/installation-tokens.js";
import { type GitHubStandIn, startGitHubStandIn } from "../helpers/github-stand-in.js";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
let github: GitHubStandIn | undefined;

afterEach(async () => {
  await github?.close();
});

async function client(standIn: GitHubStandIn) {
  const apiUrl = `http://${standIn.host}/api/v3`;
  const probot = new Probot({ appId: 1, privateKey, baseUrl: apiUrl });
  const tokens = createInstallationTokens(async () => (await probot.auth()) as unknown as AppTokenClient, () => {});
  return createChecksHttpClient({ apiUrl, getToken: () => tokens.get(7), octokit: await probot.auth(7), installationId: 7, unauthorizedRetryMs: 10 });
}

describe("check-run writes on node:http", () => {
  it("creates and updates a check run with the installation's token", async () => {
    github = await startGitHubStandIn({ buildFile: "version: 0.2\n", token: "ghs_for_checks" });
    const checks = await client(github);

    const created = await checks.rest.checks.create({ owner: "octo", repo: "repo", name: "pre-merge", head_sha: "a".repeat(40), status: "queued" });
    await checks.rest.checks.update({ owner: "octo", repo: "repo", check_run_id: created.data.id, status: "completed", conclusion: "success", output: { title: "ok", summary: "all good" } });

    expect(github.checkRuns()).toEqual([expect.objectContaining({ id: created.data.id, name: "pre-merge", statuses: ["queued", "completed"], conclusion: "success", title: "ok" })]);
    const writes = github.requests.filter((r) => r.path.includes("/check-runs"));
    expect(writes.map((r) => [r.method, r.path])).toEqual([
      ["POST", "/repos/octo/repo/check-runs"],
      ["PATCH", `/repos/octo/repo/check-runs/${created.data.id}`],
    ]);
  });

  it("tries a write answered 401 once more (a token just minted may be refused for a moment), and only once", async () => {
    github = await startGitHubStandIn({ buildFile: "version: 0.2\n" });
    const checks = await client(github);
    const statuses = () => github?.requests.filter((r) => r.path.includes("/check-runs")).map((r) => r.status);

    github.fail(1, { status: 401 });
    const created = await checks.rest.checks.create({ owner: "octo", repo: "repo", name: "s", head_sha: "c".repeat(40) });
    expect(statuses()).toEqual([401, 201]);

    github.fail(2, { status: 401 });
    await expect(checks.rest.checks.update({ owner: "octo", repo: "repo", check_run_id: created.data.id, status: "completed", conclusion: "success" })).rejects.toMatchObject({ status: 401 });
    expect(statuses()).toEqual([401, 201, 401, 401]);
  });

  it("rejects a refused write with its status and headers, as the write queue reads them", async () => {
    github = await startGitHubStandIn({ buildFile: "version: 0.2\n" });
    const checks = await client(github);
    github.fail(1, { status: 403, headers: { "retry-after": "7" } });

    const refused = checks.rest.checks.create({ owner: "octo", repo: "repo", name: "s", head_sha: "b".repeat(40) });

    await expect(refused).rejects.toBeInstanceOf(GitHubRequestError);
    await expect(refused).rejects.toMatchObject({ status: 403, response: { headers: { "retry-after": "7" } } });
  });
});
