/**
 * The log page's routes over a whole log (KeptLogStore: Redis + the disk
 * artifact store): `/raw` with Range, `/meta`, `/search`, and 410 for an
 * expired log.
 */
import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiskArtifactStore } from "../artifacts/disk-artifact-store.js";
import { KeptLogStore } from "./kept-log-store.js";
import { LogArchive } from "./log-archive.js";
import { createLogPageHandler } from "./log-page.js";
import { RedisLogStore } from "./redis-log-store.js";

const DAY = 24 * 3600 * 1000;
const prefix = `test-${randomUUID()}:`;
let redis: Redis;
let dir: string;
let server: Server;
let base: string;
let logs: KeptLogStore;
let store: DiskArtifactStore;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  dir = mkdtempSync(join(tmpdir(), "eve-log-page-"));
  store = await new DiskArtifactStore(dir).init();
  logs = new KeptLogStore({
    redis: new RedisLogStore(redis, { prefix, batchMs: 5 }),
    archive: new LogArchive(store, { retentionMs: 30 * DAY, segmentBytes: 32 * 1024, segmentMs: 20 }),
    maxBytes: 1024 ** 3,
  });
  const handler = createLogPageHandler({ logStore: logs });
  server = createServer((req, res) => void handler(req, res).then((handled) => handled || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

function lines(from: number, to: number): string {
  let text = "";
  for (let i = from; i <= to; i++) text += `line ${i}\n`;
  return text;
}

async function finishedRun(): Promise<{ run: string; whole: string }> {
  const run = `r${randomUUID()}`;
  logs.appendStep(run, 0, "build");
  const output = lines(1, 20_000);
  for (let i = 0; i < output.length; i += 10_000) await logs.append(run, output.slice(i, i + 10_000));
  logs.appendStep(run, 1, "test");
  await logs.append(run, "ok 1\nnot ok 2 - Error: expected 3\nok 3\n");
  await logs.finish(run, { result: "failure", summary: "exited 1" });
  return { run, whole: `\n── step 1: build ──\n${output}\n── step 2: test ──\nok 1\nnot ok 2 - Error: expected 3\nok 3\n\n── failure: exited 1 ──\n` };
}

describe("the log page over a whole log", () => {
  it("serves /raw whole, and byte ranges as 206 with Content-Range, from the store's segments", async () => {
    const { run, whole } = await finishedRun();
    const bytes = Buffer.from(whole);

    const all = await fetch(`${base}/logs/${run}/raw`);
    const middle = await fetch(`${base}/logs/${run}/raw`, { headers: { range: "bytes=100000-100099" } });
    const end = await fetch(`${base}/logs/${run}/raw`, { headers: { range: "bytes=-30" } });
    const past = await fetch(`${base}/logs/${run}/raw`, { headers: { range: `bytes=${bytes.length}-` } });

    expect(all.status).toBe(200);
    expect(all.headers.get("accept-ranges")).toBe("bytes");
    expect(await all.text()).toBe(whole);
    expect(middle.status).toBe(206);
    expect(middle.headers.get("content-range")).toBe(`bytes 100000-100099/${bytes.length}`);
    expect(Buffer.from(await middle.arrayBuffer())).toEqual(bytes.subarray(100_000, 100_100));
    expect(end.status).toBe(206);
    expect(await end.text()).toBe(bytes.subarray(bytes.length - 30).toString());
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${bytes.length}`);
  });

  it("describes the log in /meta: size, steps with their offsets, the end", async () => {
    const { run, whole } = await finishedRun();

    const meta = await (await fetch(`${base}/logs/${run}/meta`)).json();

    const testAt = Buffer.byteLength(whole.slice(0, whole.indexOf("\n── step 2")));
    expect(meta).toEqual({
      state: "finished",
      bytes: Buffer.byteLength(whole),
      steps: [{ index: 0, name: "build", offset: 0 }, { index: 1, name: "test", offset: testAt }],
      end: { result: "failure", summary: "exited 1" },
      droppedBytes: 0,
    });
  });

  it("streams search matches with their byte offsets, and finds the first error", async () => {
    const { run, whole } = await finishedRun();
    const offsetOf = (text: string) => Buffer.byteLength(whole.slice(0, whole.indexOf(text)));

    const found = (await (await fetch(`${base}/logs/${run}/search?q=LINE%201999&limit=3`)).text()).trim().split("\n").map((line) => JSON.parse(line));
    const errors = (await (await fetch(`${base}/logs/${run}/search?errors=1&limit=1`)).text()).trim().split("\n").map((line) => JSON.parse(line));
    const bad = await fetch(`${base}/logs/${run}/search?q=`);

    expect(found).toEqual([
      { offset: offsetOf("line 1999\n"), line: "line 1999" },
      { offset: offsetOf("line 19990\n"), line: "line 19990" },
      { offset: offsetOf("line 19991\n"), line: "line 19991" },
      { done: true, scanned: expect.any(Number), more: true },
    ]);
    expect(errors[0]).toEqual({ offset: offsetOf("not ok 2"), line: "not ok 2 - Error: expected 3" });
    expect(bad.status).toBe(400);
  });

  it("answers 410 with a line saying so once the log has expired, 404 for a log that never was", async () => {
    const { run } = await finishedRun();
    const expired = new LogArchive(store, { retentionMs: 30 * DAY });
    await expired.sweep(new Date(Date.now() + 31 * DAY));
    await store.updateContainer(`log:${run}`, { properties: { run, logExpiresAt: new Date(Date.now() - 1000).toISOString() } });

    const gone = await fetch(`${base}/logs/${run}/raw`);
    const never = await fetch(`${base}/logs/r${randomUUID()}`);

    expect(gone.status).toBe(410);
    expect(await gone.text()).toMatch(/^This log expired on .*: Eve keeps stage logs for EVE_LOG_RETENTION_DAYS days after the stage ends\.\n$/);
    expect(never.status).toBe(404);
  });

  it("answers 503 with a line saying so while the store cannot be read", async () => {
    const down = new KeptLogStore({
      redis: new RedisLogStore(redis, { prefix }),
      archive: new LogArchive(() => Promise.reject(new Error("connect ECONNREFUSED")), { retentionMs: DAY }),
      maxBytes: 1024,
    });
    const handler = createLogPageHandler({ logStore: down });
    const other = createServer((req, res) => void handler(req, res).then((handled) => handled || res.writeHead(404).end()));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));

    const response = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/logs/r${randomUUID()}/raw`);

    expect(response.status).toBe(503);
    expect(await response.text()).toBe("The log store cannot be read just now; try again shortly.\n");
    other.closeAllConnections();
    await new Promise((resolve) => other.close(resolve));
  });
});
