import { Octokit } from "@octokit/rest";
import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mockGitHub, type GitHubMock } from "../../test/helpers/github-mock.js";
import { createLogPageHandler } from "../logs/log-page.js";
import { RedisLogStore } from "../logs/redis-log-store.js";
import { BUILD_TOKEN_PARAMETER, createBuildAccessToken } from "./build-access-token.js";
import { CALLBACK_PATH, createPageAccess, type InstallationClient, type PageAccessOptions } from "./page-access.js";
import { getRepositoryAccess, getRunAccess, recordRunAccess } from "./run-access-record.js";
import { signValue } from "./signed-value.js";

const prefix = `test-${randomUUID()}`;
const SIGN_IN = { clientId: "Iv1.0123456789abcdef", clientSecret: "client-secret-for-tests", sessionSecret: "s".repeat(40) };
const BUILD_SECRET = "b".repeat(40);
const PUBLIC_URL = "https://eve.example.test";
const HOUR = 3600 * 1000;
let redis: Redis;
let logs: RedisLogStore;
let github: GitHubMock | undefined;
const servers: Server[] = [];

/** Runs of three builds: a private repository's two, a public repository's one. */
const runs = { secret: "rsecret1", otherSecret: "rsecret2", open: "ropen1" };

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  logs = new RedisLogStore(redis, { prefix: `${prefix}:log:`, batchMs: 5 });
  for (const run of Object.values(runs)) logs.appendInfo(run, `log of ${run}`);
  await logs.flush();
  await recordRunAccess(redis, prefix, runs.secret, { build: "bsecret1", owner: "octo", repo: "vault", installationId: 7, private: true });
  await recordRunAccess(redis, prefix, runs.otherSecret, { build: "bsecret2", owner: "octo", repo: "vault", installationId: 7, private: true });
  await recordRunAccess(redis, prefix, runs.open, { build: "bopen1", owner: "octo", repo: "hello", installationId: 7, private: false });
});

afterEach(() => {
  github?.close();
  github = undefined;
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** Eve's pages as main.ts serves them, with `options` for the guard; the base URL of a local server. */
async function servePages(options: Partial<PageAccessOptions> = {}): Promise<string> {
  const access = createPageAccess({
    publicUrl: PUBLIC_URL,
    githubApiUrl: "https://api.github.com",
    signIn: SIGN_IN,
    buildTokenSecret: BUILD_SECRET,
    // The App's installation token, as probot.auth(installationId) gives it.
    getInstallationClient: async () => new Octokit({ auth: "ghs_installation_token" }) as unknown as InstallationClient,
    ...options,
  });
  const logPage = createLogPageHandler({ logStore: logs, authorize: async (req, res, run) => access.authorize(req, res, await getRunAccess(redis, prefix, run)) });
  const server = createServer((req, res) => {
    void (async () => (await access.handler(req, res)) || (await logPage(req, res)) || res.writeHead(404).end())();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = (url: string, cookie?: string) => fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
const sessionOf = (login: string, expiresAt = Date.now() + HOUR, secret = SIGN_IN.sessionSecret) => `eve_session=${signValue(secret, "session", { login }, expiresAt)}`;
const permission = (login: string, level: string) => (github as GitHubMock).on("repos/get-collaborator-permission-level", { body: { permission: level, role_name: level, user: null } }, { params: { owner: "octo", repo: "vault", username: login } });

describe("pages of a public repository", () => {
  it("are open without sign-in, and GitHub is not asked", async () => {
    github = mockGitHub();
    const base = await servePages();

    const page = await get(`${base}/logs/${runs.open}/raw`);

    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`log of ${runs.open}`);
    github.assertDone();
  });
});

describe("pages of a private repository", () => {
  it("send a reader without a session to GitHub's authorize page, and let them in once GitHub says who they are and that they may read", async () => {
    github = mockGitHub();
    const base = await servePages();

    const first = await get(`${base}/logs/${runs.secret}`);
    expect(first.status).toBe(302);
    const authorize = new URL(first.headers.get("location") ?? "");
    expect(`${authorize.origin}${authorize.pathname}`).toBe("https://github.com/login/oauth/authorize");
    expect(authorize.searchParams.get("client_id")).toBe(SIGN_IN.clientId);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${PUBLIC_URL}${CALLBACK_PATH}`);
    const signInCookie = first.headers.get("set-cookie") ?? "";
    expect(signInCookie).toMatch(/^eve_sign_in=[\w-]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);

    // GitHub sends the reader back with a code and the state; the browser brings the sign-in cookie.
    github.onWebFlowCode({ ...SIGN_IN, code: "c0de", token: "ghu_reader_token" });
    github.on("users/get-authenticated", { body: { login: "reader", id: 42 } });
    const callback = await get(`${base}${CALLBACK_PATH}?code=c0de&state=${authorize.searchParams.get("state") ?? ""}`, signInCookie.split(";")[0]);
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe(`/logs/${runs.secret}`);
    const session = callback.headers.getSetCookie().find((cookie) => cookie.startsWith("eve_session=")) ?? "";
    expect(session).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);

    permission("reader", "read");
    const page = await get(`${base}/logs/${runs.secret}`, session.split(";")[0]);
    const raw = await get(`${base}/logs/${runs.secret}/raw`, session.split(";")[0]);

    expect(page.status).toBe(200);
    expect(raw.status).toBe(200);
    expect(await raw.text()).toContain(`log of ${runs.secret}`);
    // The user token went to GET /user only; the permission was asked once (then remembered) with the installation token.
    expect(github.requestsFor("users/get-authenticated")[0]?.headers.authorization).toBe("token ghu_reader_token");
    expect(github.requestsFor("repos/get-collaborator-permission-level").map((request) => request.headers.authorization)).toEqual(["token ghs_installation_token"]);
    github.assertDone();
  });

  it.each([
    ["permission none", "none"],
    ["not a collaborator (GitHub's 404)", 404],
  ])("answer 404 to a signed-in reader with %s, as for a page that does not exist", async (_name, level) => {
    github = mockGitHub();
    const base = await servePages();
    if (level === 404) github.on("repos/get-collaborator-permission-level", { status: 404, body: { message: "Not Found" } });
    else permission("stranger", level as string);

    const page = await get(`${base}/logs/${runs.secret}/events`, sessionOf("stranger"));
    const unknown = await get(`${base}/logs/rnosuchrun`, sessionOf("stranger"));

    expect(page.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await page.text()).toBe(await unknown.text());
    github.assertDone();
  });

  it.each([
    ["expired", sessionOf("reader", Date.now() - 1000)],
    ["forged (signed with another secret)", sessionOf("reader", Date.now() + HOUR, "x".repeat(40))],
    ["tampered (login changed after signing)", sessionOf("reader").replace(/^eve_session=[\w-]+/, `eve_session=${Buffer.from(JSON.stringify({ login: "admin", p: "session", exp: Date.now() + HOUR })).toString("base64url")}`)],
    ["a sign-in state passed off as a session", `eve_session=${signValue(SIGN_IN.sessionSecret, "sign-in", { login: "reader" }, Date.now() + HOUR)}`],
  ])("refuse a session cookie that is %s: back to GitHub's sign-in", async (_name, cookie) => {
    github = mockGitHub();
    const base = await servePages();

    const page = await get(`${base}/logs/${runs.secret}/raw`, cookie);

    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toMatch(/^https:\/\/github\.com\/login\/oauth\/authorize\?/);
    github.assertDone();
  });

  it("open to a worker's build token for its own build only, until it expires", async () => {
    github = mockGitHub();
    const base = await servePages();
    const token = createBuildAccessToken(BUILD_SECRET, "bsecret1", Date.now() + HOUR);
    const expired = createBuildAccessToken(BUILD_SECRET, "bsecret1", Date.now() - 1000);

    const own = await get(`${base}/logs/${runs.secret}/raw?${BUILD_TOKEN_PARAMETER}=${token}`);
    // As curl sends the token of an artifacts_private_url (https://eve:<token>@host/…).
    const basic = await fetch(`${base}/logs/${runs.secret}/raw`, { redirect: "manual", headers: { authorization: `Basic ${Buffer.from(`eve:${token}`).toString("base64")}` } });
    const other = await get(`${base}/logs/${runs.otherSecret}/raw?${BUILD_TOKEN_PARAMETER}=${token}`);
    const late = await get(`${base}/logs/${runs.secret}/raw?${BUILD_TOKEN_PARAMETER}=${expired}`);

    expect(own.status).toBe(200);
    expect(await own.text()).toContain(`log of ${runs.secret}`);
    expect(basic.status).toBe(200);
    expect(other.status).toBe(302);
    expect(late.status).toBe(302);
    github.assertDone();
  });

  it("artifact containers are the repository's pages: their target names the container as the build a token must name", async () => {
    expect(await getRepositoryAccess(redis, prefix, "Octo", "VAULT", "github:octo:vault:staging-1.r1.abc.top.00000001")).toEqual({
      build: "github:octo:vault:staging-1.r1.abc.top.00000001",
      owner: "octo",
      repo: "vault",
      installationId: 7,
      private: true,
    });
    expect(await getRepositoryAccess(redis, prefix, "octo", "unknown", "github:octo:unknown:x")).toBeUndefined();
  });

  it("answer 403 saying what to configure when sign-in is not set up, never open", async () => {
    github = mockGitHub();
    const base = await servePages({ signIn: undefined });

    const page = await get(`${base}/logs/${runs.secret}`, sessionOf("reader"));

    expect(page.status).toBe(403);
    expect(await page.text()).toContain("must set EVE_GITHUB_CLIENT_ID and EVE_GITHUB_CLIENT_SECRET (the GitHub App's client id and a client secret) and EVE_SESSION_SECRET");
    github.assertDone();
  });

  it("refuse a callback whose state was not started in this browser (login CSRF), and a code GitHub rejects", async () => {
    github = mockGitHub();
    const base = await servePages();
    const state = signValue(SIGN_IN.sessionSecret, "sign-in", { n: "nonce-of-the-victim", r: `/logs/${runs.secret}` }, Date.now() + 60_000);
    github.onWebFlowCode({ ...SIGN_IN, code: "the-right-code", token: "ghu_x" });

    const foreign = await get(`${base}${CALLBACK_PATH}?code=c0de&state=${state}`, "eve_sign_in=nonce-of-the-attacker");
    const badCode = await get(`${base}${CALLBACK_PATH}?code=wrong&state=${state}`, "eve_sign_in=nonce-of-the-victim");

    expect(foreign.status).toBe(400);
    expect(badCode.status).toBe(502);
    expect(badCode.headers.getSetCookie()).toEqual([]);
    github.assertDone();
  });

  it("work with GitHub Enterprise Server: the authorize page and the code exchange on GHE_HOST", async () => {
    github = mockGitHub({ baseUrl: "http://ghe.test/api/v3" });
    const base = await servePages({ githubApiUrl: "http://ghe.test/api/v3" });

    const first = await get(`${base}/logs/${runs.secret}`);
    const authorize = new URL(first.headers.get("location") ?? "");
    github.onWebFlowCode({ ...SIGN_IN, code: "c0de", token: "ghu_ghe" });
    github.on("users/get-authenticated", { body: { login: "reader", id: 42 } });
    const callback = await get(`${base}${CALLBACK_PATH}?code=c0de&state=${authorize.searchParams.get("state") ?? ""}`, (first.headers.get("set-cookie") ?? "").split(";")[0]);

    expect(`${authorize.origin}${authorize.pathname}`).toBe("http://ghe.test/login/oauth/authorize");
    expect(callback.status).toBe(302);
    github.assertDone();
  });
});
