import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { mockGitHub, type GitHubMock } from "../../test/helpers/github-mock.js";
import { createEveOctokit } from "./eve-octokit.js";

let github: GitHubMock | undefined;

let server: Server | undefined;

afterEach(async () => {
  github?.close();
  github = undefined;
  const open = server;
  server = undefined;
  if (!open) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
});

/** A local server that drops every connection it is sent a request on (no answer): counts the requests. */
async function droppingServer(): Promise<{ baseUrl: string; requests: () => number }> {
  let count = 0;
  server = createServer((req) => {
    count++;
    req.socket.destroy();
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => count };
}

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

  it("retries a request the network failed, three times, and not one its caller aborted", async () => {
    const { baseUrl, requests } = await droppingServer();
    const Octokit = createEveOctokit({ retryAfterBaseMs: 1 });
    const octokit = new Octokit({ auth: "ghs_test", baseUrl });

    const dropped = await octokit.rest.checks.get({ owner: "o", repo: "r", check_run_id: 1 }).catch((error: unknown) => error);
    const afterDropped = requests();
    const aborted = await octokit.rest.checks.get({ owner: "o", repo: "r", check_run_id: 1, request: { signal: AbortSignal.abort() } }).catch((error: unknown) => error);

    expect(dropped).toMatchObject({ status: 500 });
    expect(afterDropped).toBe(4);
    expect(aborted).toMatchObject({ name: "AbortError" });
    expect(requests()).toBe(4);
  });
});
