/**
 * `npm start` as operators run it: /healthz, /readyz (following Redis down and
 * up), /metrics after a build, JSON logs with build and stage ids on the
 * stage's lines, no installation token or private key in logs or Redis, and
 * SIGTERM → exit 0. `eve worker` serves the same endpoints on its own port.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startGitHubStandIn, type GitHubStandIn } from "../../helpers/github-stand-in.js";
import { freePort } from "../../helpers/free-port.js";
import { createWorkspace, eveEnv, privateKey, sendPush, spawnEveApp, spawnEveWorker, startRedisServer, waitUntil, type EveChild, type RedisServer } from "./eve-processes.js";

const buildFile = `
version: 0.2
branches:
  fetch/*:
    stage: fetch
  default:
    stage: pre-merge
stages:
  pre-merge:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'echo hello'}
  fetch:
    worker: {type: local}
    steps:
      - Git: {repourl: '%(prop:git_reference)s', mode: full}
`;

const token = `ghs_${randomBytes(18).toString("hex")}`;
let redis: RedisServer;
let github: GitHubStandIn;
let workspace: ReturnType<typeof createWorkspace>;
let eve: EveChild | undefined;

beforeEach(async () => {
  redis = await startRedisServer({ appendonly: true });
  github = await startGitHubStandIn({ buildFile, token });
  workspace = createWorkspace();
});

afterEach(async () => {
  eve?.child.kill("SIGKILL");
  await eve?.exited;
  eve = undefined;
  await github.close();
  await redis.stop();
  workspace.remove();
});

const get = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
};

describe("operating Eve", () => {
  it("serves health, readiness and metrics, logs JSON with stage ids and no credentials, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    eve = spawnEveApp(eveEnv(github, redis.url, workspace.dir, { PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "debug", EVE_WORKER_TYPES: "local" }));
    await eve.waitForLine(/webhooks at/, 30_000);

    expect(await get(`${base}/healthz`)).toEqual({ status: 200, text: "ok\n" });
    expect(await get(`${base}/readyz`)).toEqual({ status: 200, text: '{"redis":"ok"}\n' });

    expect(await sendPush(base, "fault-test", "ops-1")).toBe(200);
    expect(await sendPush(base, "fault-test", "ops-2", { ref: "refs/heads/fetch/x" })).toBe(200);
    await waitUntil(() => github.checkRuns().filter((run) => run.statuses.at(-1) === "completed").length === 2, 30_000, () => JSON.stringify(github.checkRuns()));
    // The completed check run may reach GitHub before BullMQ has moved its job to completed: the queue says when.
    await expect.poll(async () => (await get(`${base}/metrics`)).text, { timeout: 30_000 }).toMatch(/eve_queue_jobs\{worker_type="local",state="active"\} 0/);
    const metrics = (await get(`${base}/metrics`)).text;
    expect(metrics).toMatch(/eve_stages_finished_total\{worker_type="local",result="success"\} 1/);
    expect(metrics).toMatch(/eve_stages_finished_total\{worker_type="local",result="exception"\} 1/);
    expect(metrics).toMatch(/eve_stage_queue_wait_seconds_count\{worker_type="local"\} 2/);
    expect(metrics).toMatch(/eve_github_requests_total\{method="POST",status="201"\} \d+/);
    expect(metrics).toMatch(/eve_github_rate_limit_remaining\{installation="\d+"\} 499\d/);

    eve.child.kill("SIGTERM");
    expect(await eve.exited).toBe(0);

    const logs = eve.lines.join("\n");
    // The git fetch was given the token (the stand-in serves no repository, so it failed): it is nowhere.
    expect(github.requests.some((r) => r.path.endsWith("/access_tokens"))).toBe(true);
    expect(logs).not.toContain(token);
    for (const line of privateKey.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----"))) expect(logs).not.toContain(line);
    const stageLines = eve.lines.filter((line) => line.includes('"msg":"Stage'));
    expect(stageLines.length).toBeGreaterThanOrEqual(4);
    for (const line of stageLines) expect(JSON.parse(line)).toMatchObject({ build: expect.any(String), stage: expect.any(String), run: expect.any(String), attempt: 1 });
    const dump = execFileSync("sh", ["-c", `for k in $(redis-cli -p ${redis.port} --scan); do redis-cli -p ${redis.port} --no-raw dump "$k"; done`], { encoding: "latin1", maxBuffer: 64 << 20 });
    expect(dump.length).toBeGreaterThan(1000);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(privateKey.split("\n")[1] ?? "");
  }, 90_000);

  it("answers /readyz 503 while Redis is down and 200 again once it is back; eve worker serves them on EVE_WORKER_METRICS_PORT", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    eve = spawnEveWorker(eveEnv(github, redis.url, workspace.dir, { HOST: "127.0.0.1", EVE_WORKER_METRICS_PORT: String(port), EVE_WORKER_TYPES: "local,docker" }));
    await eve.waitForLine(/on port/, 30_000);
    expect(await get(`${base}/readyz`)).toEqual({ status: 200, text: '{"redis":"ok","docker":"ok"}\n' });
    expect((await get(`${base}/metrics`)).text).toContain("eve_stages_running");

    const restarting = redis.restart(3000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const down = await get(`${base}/readyz`);
    await restarting;

    expect(down.status).toBe(503);
    expect(JSON.parse(down.text)).toMatchObject({ docker: "ok", redis: expect.not.stringMatching(/^ok$/) });
    let up = { status: 0, text: "" };
    const deadline = Date.now() + 20_000;
    while (up.status !== 200 && Date.now() < deadline) {
      up = await get(`${base}/readyz`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(up, eve.lines.join("\n")).toMatchObject({ status: 200 });
    expect((await get(`${base}/healthz`)).status).toBe(200);
    eve.child.kill("SIGTERM");
    expect(await eve.exited).toBe(0);
  }, 60_000);
});
