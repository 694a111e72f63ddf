/**
 * Who may see the build pages: the one page guard of src/access with the
 * access records the queue writes, in a real Redis. A private repository's
 * build page opens to its build's token only (no sign-in configured here:
 * 403 otherwise), its repository page to no build token; a public one is
 * open. And the build pages never take an artifact page's request, even
 * when the artifacts base URL is "/".
 */
import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuildAccessToken } from "../../src/access/build-access-token.js";
import { createPageAccess } from "../../src/access/page-access.js";
import { recordRunAccess } from "../../src/access/run-access-record.js";
import { createBuildPagesHandler, getBuildPageTarget } from "../../src/build-pages/build-pages.js";
import { BuildHistory } from "../../src/queue/build-history.js";
import { getRunId, type StageJobData } from "../../src/queue/job-data.js";

const SECRET = "build-token-secret";
const prefix = `test-${randomUUID()}`;
let redis: Redis;
let history: BuildHistory;
let server: Server;
let base: string;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  history = new BuildHistory({ redis, prefix, retentionSec: 600 });
  const access = createPageAccess({
    publicUrl: "http://eve.test",
    githubApiUrl: "http://github.invalid",
    signIn: undefined,
    buildTokenSecret: SECRET,
    getInstallationClient: async () => {
      throw new Error("no GitHub here");
    },
  });
  const pages = createBuildPagesHandler({ history, authorize: async (req, res, page) => access.authorize(req, res, await getBuildPageTarget(redis, prefix, page)) });
  server = createServer((req, res) => void pages(req, res).then((handled) => handled || res.writeHead(404, { "x-unhandled": "1" }).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis?.disconnect();
});

/** A build queued as enqueueStage records it: its access record, then its history. */
async function queueBuild(repo: string, isPrivate: boolean): Promise<string> {
  const build = `b${randomUUID().replace(/-/g, "").slice(0, 15)}`;
  const run = getRunId(build, "pre-merge", 1, undefined);
  await recordRunAccess(redis, prefix, run, { build, owner: "scality", repo, installationId: 1, private: isPrivate });
  const data: StageJobData = {
    installationId: 1,
    repository: { owner: "scality", name: repo, id: 9, private: isPrivate },
    sha: "0123456789abcdef0123456789abcdef01234567",
    branch: "main",
    buildFilePath: "eve/main.yml",
    stage: { build, stage: "pre-merge", attempt: 1, run },
    workerType: "local",
    parent: undefined,
    properties: {},
    forcedProperties: [],
    checkRunId: undefined,
    createdAt: Date.now(),
    trigger: { kind: "push" },
  };
  await history.queued(data, Date.now());
  return build;
}

describe("build pages access", () => {
  it("opens a public repository's pages, and a private one's only to its build's token", async () => {
    const open = await queueBuild("public-repo", false);
    expect((await fetch(`${base}/builds/${open}`)).status).toBe(200);
    expect((await fetch(`${base}/repos/scality/public-repo`)).status).toBe(200);

    const closed = await queueBuild("private-repo", true);
    const refused = await fetch(`${base}/builds/${closed}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain(closed);
    expect((await fetch(`${base}/builds/${closed}/events`)).status).toBe(403);
    expect((await fetch(`${base}/repos/scality/private-repo`)).status).toBe(403);
    const token = createBuildAccessToken(SECRET, closed, Date.now() + 60_000);
    const withToken = await fetch(`${base}/builds/${closed}`, { headers: { authorization: `Bearer ${token}` } });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain(`Build ${closed}`);
    // A build's token is for that build: not for the repository's page, nor another build's.
    expect((await fetch(`${base}/repos/scality/private-repo`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    const other = await queueBuild("private-repo", true);
    expect((await fetch(`${base}/builds/${other}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    // Unknown builds: 404, as for a page that does not exist.
    expect((await fetch(`${base}/builds/b000000000000000`)).status).toBe(404);
  });

  it("leaves an artifact page's /builds/<container>/… to the artifact pages", async () => {
    for (const path of ["/builds/github:scality:ring:staging-1.0.0.r1", "/builds/github:scality:ring:staging-1.0.0.r1/", "/builds/github:scality:ring:staging-1.0.0.r1/a/b.txt", "/artifacts/builds/x"]) {
      const response = await fetch(`${base}${path}`);
      expect(response.headers.get("x-unhandled"), path).toBe("1");
    }
  });
});
