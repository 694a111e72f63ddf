/**
 * Webhooks from anyone who can reach Eve: unsigned or badly signed bodies,
 * bodies over GitHub's 25 MB, and signed payloads of unexpected shape. Each
 * gets a 4xx (or is ignored with a 200) and one warning line — no error-level
 * line, no stack trace — and the app still builds a good push afterwards.
 */
import { createHmac } from "node:crypto";
import { request } from "node:http";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../helpers/free-port.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../helpers/github-stand-in.js";
import { createWorkspace, eveEnv, sendPush, spawnEveApp, startRedisServer, waitUntil, type EveChild, type RedisServer } from "./eve-processes.js";

const SECRET = "fault-test";
const pushEvent = JSON.parse(readFileSync(new URL("../../fixtures/push-event.json", import.meta.url), "utf8")) as Record<string, unknown>;
const repository = pushEvent.repository;
const buildFile = `
version: 0.2
branches: {default: {stage: pre-merge}}
stages:
  pre-merge:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'echo hello'}
`;

let redis: RedisServer;
let github: GitHubStandIn;
let workspace: ReturnType<typeof createWorkspace>;
let eve: EveChild;
let port: number;

beforeAll(async () => {
  redis = await startRedisServer();
  github = await startGitHubStandIn({ buildFile });
  workspace = createWorkspace();
  port = await freePort();
  eve = spawnEveApp(eveEnv(github, redis.url, workspace.dir, { PORT: String(port), HOST: "127.0.0.1" }));
  await eve.waitForLine(/webhooks at/, 30_000);
}, 40_000);

afterAll(async () => {
  eve.child.kill("SIGKILL");
  await eve.exited;
  await github.close();
  await redis.stop();
  workspace.remove();
});

let deliveries = 0;

/** `signature` null: no signature header. */
async function send(event: string, body: string, signature: string | null = sign(body)): Promise<number> {
  const headers: Record<string, string> = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": `hostile-${++deliveries}` };
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, { method: "POST", headers, body });
  await response.arrayBuffer();
  return response.status;
}

function sign(body: string): string {
  return `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
}

/**
 * Declares `declared` bytes (or sends chunked), sends `sent` bytes and waits
 * for Eve's answer without ending the body: Eve must answer without it.
 */
function sendHuge(declared: number | undefined, sent: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "huge", "x-hub-signature-256": "sha256=00" };
    if (declared !== undefined) headers["content-length"] = String(declared);
    const req = request({ host: "127.0.0.1", port, path: "/api/github/webhooks", method: "POST", headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", reject);
    req.flushHeaders();
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let written = 0;
    const write = () => {
      while (written < sent && !req.destroyed) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
    };
    write();
  });
}

const errorLines = () => eve.lines.filter((line) => /"level":(50|60)/.test(line) || /^\s+at /.test(line));

describe("hostile webhooks", () => {
  it("refuses missing and wrong signatures with 400 and one warning each", async () => {
    const body = JSON.stringify(pushEvent);
    expect(await send("push", body, null)).toBe(400);
    expect(await send("push", body, "sha256=0123")).toBe(400);
    expect(await send("push", body, createHmac("sha256", "not-the-secret").update(body).digest("hex"))).toBe(400);
    // Log lines arrive through a pipe, a moment after the answers.
    const warnings = () => eve.lines.filter((line) => line.includes("X-Hub-Signature-256") && line.includes('"level":40'));
    await waitUntil(() => warnings().length >= 3, 5_000, () => eve.lines.join("\n"));
    expect(warnings()).toHaveLength(3);
    expect(errorLines()).toEqual([]);
  });

  it("refuses bodies over 25 MB with 413 before reading them, declared or chunked", async () => {
    const started = Date.now();
    expect(await sendHuge(60 << 20, 0)).toBe(413);
    expect(await sendHuge(undefined, 26 << 20)).toBe(413);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(errorLines()).toEqual([]);
  }, 20_000);

  it("ignores signed payloads of unexpected shape with a 2xx or 4xx, no error line, and still builds a good push", async () => {
    const pullRequest = { action: "opened", number: 1, repository, installation: { id: 1 }, sender: { login: "someone" } };
    const head = { sha: "a".repeat(40), ref: "topic", repo: { id: 2 } };
    const cases: [string, unknown][] = [
      ["push", {}],
      ["push", []],
      ["push", null],
      ["push", { ...pushEvent, repository: null }],
      ["push", { ...pushEvent, installation: { id: "1" } }],
      ["issue_comment", { action: "created", issue: { number: 1, pull_request: {} }, repository, installation: { id: 1 } }],
      ["check_run", { action: "rerequested", repository, installation: { id: 1 }, sender: { login: "someone" } }],
      ["check_suite", { action: "rerequested", repository, installation: { id: 1 }, sender: { login: "someone" } }],
      ["pull_request", { ...pullRequest, pull_request: { number: 1, head: null, base: { repo: { id: 1 } } } }],
      ["pull_request", { ...pullRequest, pull_request: { number: 1, head: { ...head, sha: 42 }, base: { repo: { id: 1 } } } }],
    ];
    for (const [event, payload] of cases) {
      const status = await send(event, JSON.stringify(payload));
      expect({ event, payload, status }).toMatchObject({ status: expect.toSatisfy((s: number) => s >= 200 && s < 500) });
    }
    await waitUntil(() => eve.lines.filter((line) => line.includes("Ignored") && line.includes('"level":40')).length >= 8, 5_000, () => eve.lines.join("\n"));
    expect(errorLines()).toEqual([]);

    expect(await sendPush(`http://127.0.0.1:${port}`, SECRET, "good-push")).toBe(200);
    await waitUntil(() => github.checkRuns().some((run) => run.conclusion === "success"), 30_000, () => JSON.stringify(github.checkRuns()));
    expect(errorLines()).toEqual([]);
  }, 60_000);
});
