import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApplicationFunctionOptions } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogPageHandler } from "./log-page.js";
import { RedisLogStore } from "./redis-log-store.js";

let redis: Redis;
let server: Server;
let logs: RedisLogStore;
let base: string;
const prefix = `test-${randomUUID()}:`;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  logs = new RedisLogStore(redis, { prefix, batchMs: 5 });
  const handler = createLogPageHandler({ logStore: logs, maxFollowers: 1 });
  server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end("not mine");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  redis.disconnect();
});

async function finishedRun(): Promise<string> {
  const run = randomUUID();
  logs.appendInfo(run, "spawned");
  logs.appendStep(run, 0, "build");
  void logs.append(run, "\x1b[31mred\x1b[0m <script>alert(1)</script>\n");
  await logs.finish(run, { result: "failure", summary: "exited 1" });
  return run;
}

// Compile-time: the handler mounts on Probot's server as it is.
const _mountsOnProbot = (options: ApplicationFunctionOptions, logStore: RedisLogStore) => options.addHandler(createLogPageHandler({ logStore }));
void _mountsOnProbot;

describe("log page handler", () => {
  it("serves the page with a strict CSP and no inline script", async () => {
    const run = await finishedRun();

    const response = await fetch(`${base}/logs/${run}`);
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(html).toContain(`<script src="/logs/_/log-page.js"></script>`);
    expect(html).toContain(`href="/logs/${run}/raw"`);
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    const script = await fetch(`${base}/logs/_/log-page.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toContain("new EventSource(");
  });

  it("offers the raw log as a text download", async () => {
    const run = await finishedRun();

    const response = await fetch(`${base}/logs/${run}/raw`);

    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${run}.log"`);
    expect(await response.text()).toBe("spawned\n\n── step 1: build ──\n\x1b[31mred\x1b[0m <script>alert(1)</script>\n\n── failure: exited 1 ──\n");
  });

  it("does not repeat the result before a stage summary that starts with it", async () => {
    const run = randomUUID();
    logs.appendStep(run, 0, "fail now");
    // The engine's stage summaries read "failure: step 'x' exited 3", "success".
    await logs.finish(run, { result: "failure", summary: "failure: step 'fail now' exited 3" });
    const ok = randomUUID();
    await logs.finish(ok, { result: "success", summary: "success" });

    expect(await (await fetch(`${base}/logs/${run}/raw`)).text()).toBe("\n── step 1: fail now ──\n\n── failure: step 'fail now' exited 3 ──\n");
    expect(await (await fetch(`${base}/logs/${ok}/raw`)).text()).toBe("\n── success ──\n");
  });

  it("streams records then an end event, then closes", async () => {
    const run = await finishedRun();

    const response = await fetch(`${base}/logs/${run}/events`);
    const body = await response.text();

    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = body.split("\n\n").filter((e) => e.includes("event:"));
    expect(events.at(-1)).toMatch(/^id: \d+-\d+\nevent: end\ndata: \{"result":"failure","summary":"exited 1"\}$/);
    expect(events[0]).toMatch(/^event: records\ndata: \[\{"kind":"info","line":"spawned"\}/);
  });

  it("says in the live view where output is only in the whole log", async () => {
    const run = randomUUID();
    void logs.add(run, { kind: "info", line: "spawned" }, 0);
    await logs.flush();
    // Past Redis' head, what the store held already is left out of Redis (redis-run-writer.ts): here bytes 8 to 100.
    void logs.add(run, { kind: "text", text: "later\n" }, 100);
    await logs.finishAt(run, { result: "success", summary: "" }, 106);

    const body = await (await fetch(`${base}/logs/${run}/events`)).text();

    expect(body).toContain(`data: [{"kind":"at","offset":8},{"kind":"truncated","note":"92 bytes of output here are not shown live: they are in the whole log"},{"kind":"text","text":"later\\n"}]`);
    expect(body.match(/"truncated"/g)).toHaveLength(1);
  });

  it("resumes after Last-Event-ID", async () => {
    const run = randomUUID();
    logs.appendInfo(run, "first entry");
    await logs.flush();
    void logs.append(run, "second entry\n");
    await logs.finish(run, { result: "success", summary: "" });
    const all = await (await fetch(`${base}/logs/${run}/events`)).text();
    const firstId = /^id: (\S+)$/m.exec(all)?.[1] ?? "";

    const resumed = await (await fetch(`${base}/logs/${run}/events`, { headers: { "last-event-id": firstId } })).text();

    expect(resumed).not.toContain("first entry");
    expect(resumed).toContain("second entry");
    expect(resumed).toContain("event: end");
  });

  it.each([
    ["unknown run", "/logs/0f0f0f0f-dead-beef", 404, "No log for this run"],
    ["not a run id", "/logs/..%2Fetc", 404, "not mine"],
    ["other paths", "/api/github/webhooks", 404, "not mine"],
  ])("%s: %s → %d", async (_name, path, status, text) => {
    const response = await fetch(base + path);

    expect(response.status).toBe(status);
    expect(await response.text()).toContain(text);
  });

  it("turns away live followers beyond the limit", async () => {
    const run = randomUUID();
    logs.appendInfo(run, "running");
    await logs.flush();
    const controller = new AbortController();
    const first = await fetch(`${base}/logs/${run}/events`, { signal: controller.signal });

    const second = await fetch(`${base}/logs/${run}/events`);

    expect(first.status).toBe(200);
    expect(second.status).toBe(503);
    controller.abort();
  });
});
