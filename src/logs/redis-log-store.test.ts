import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LOG_START, type LogEntry, type LogRecord } from "./log-store.js";
import { RedisLogStore } from "./redis-log-store.js";

let redis: Redis;
let prefix: string;

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(() => redis.disconnect());

function store(options = {}) {
  prefix = `test-${randomUUID()}:`;
  return new RedisLogStore(redis, { prefix, ...options });
}

async function readAll(logs: RedisLogStore, run: string): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  let cursor = LOG_START;
  for (;;) {
    const page = await logs.read(run, cursor, 7);
    if (page.entries.length === 0) return entries;
    entries.push(...page.entries);
    cursor = page.cursor;
  }
}

function text(entries: LogEntry[]): string {
  return entries.flatMap((e) => e.records).map((r) => (r.kind === "text" ? r.text : "")).join("");
}

describe("RedisLogStore", () => {
  it("stores records in order, coalescing small writes into few entries", async () => {
    const logs = store();

    logs.appendInfo("r1", "spawned local worker");
    logs.appendStep("r1", 0, "tests");
    for (let i = 0; i < 1000; i++) void logs.append("r1", `line ${i}\n`);
    await logs.finish("r1", { result: "success", summary: "ok", durationMs: 5 });
    const entries = await readAll(logs, "r1");

    const records = entries.flatMap((e) => e.records);
    expect(records.slice(0, 2)).toEqual([
      { kind: "info", line: "spawned local worker" },
      { kind: "step", index: 0, name: "tests" },
    ]);
    expect(text(entries)).toBe(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(""));
    expect(records.at(-1)).toEqual({ kind: "end", end: { result: "success", summary: "ok", durationMs: 5 } });
    expect(entries.length).toBeLessThanOrEqual(3);
  });

  it("says when a run has no log", async () => {
    const page = await store().read("nope");

    expect(page).toEqual({ entries: [], cursor: LOG_START, exists: false });
  });

  it("follows a log live until its end record", async () => {
    const logs = store({ batchMs: 5 });
    logs.appendInfo("r2", "queued");
    await logs.flush();
    const seen: LogRecord[] = [];

    const following = (async () => {
      for await (const entry of logs.follow("r2", LOG_START, new AbortController().signal)) seen.push(...entry.records);
    })();
    for (let i = 0; i < 5; i++) {
      void logs.append("r2", `chunk ${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await logs.finish("r2", { result: "failure", summary: "exited 1" });
    await following;

    expect(seen[0]).toEqual({ kind: "info", line: "queued" });
    expect(seen.filter((r) => r.kind === "text").map((r) => r.kind === "text" && r.text)).toEqual(["chunk 0\n", "chunk 1\n", "chunk 2\n", "chunk 3\n", "chunk 4\n"]);
    expect(seen.at(-1)).toEqual({ kind: "end", end: { result: "failure", summary: "exited 1" } });
  });

  it("stops following promptly when aborted", async () => {
    // A blocking read longer than the test's timeout: only cutting it on abort ends the loop in time.
    const logs = store({ blockMs: 600_000 });
    const controller = new AbortController();

    setTimeout(() => controller.abort(), 50);
    const entries: LogEntry[] = [];
    for await (const entry of logs.follow("idle", LOG_START, controller.signal)) entries.push(entry);

    expect(entries).toEqual([]);
  });

  it("keeps the head and a rolling tail of a huge log, with a truncation marker", async () => {
    const logs = store({ headChars: 1000, tailChars: 3000, batchChars: 500 });
    const lines = Array.from({ length: 2000 }, (_, i) => `${String(i).padStart(5, "0")}\n`);

    for (const line of lines) void logs.append("big", line);
    await logs.finish("big", { result: "success", summary: "" });
    const entries = await readAll(logs, "big");

    const records = entries.flatMap((e) => e.records);
    const marker = records.findIndex((r) => r.kind === "truncated");
    const head = text([{ id: "", records: records.slice(0, marker) }]);
    const tail = text([{ id: "", records: records.slice(marker + 1) }]);
    const all = lines.join("");
    expect(marker).toBeGreaterThan(0);
    expect(head.length).toBeGreaterThan(500);
    expect(head.length).toBeLessThanOrEqual(1000);
    expect(tail.length).toBeGreaterThanOrEqual(3000 - 500);
    expect(tail.length).toBeLessThanOrEqual(3000 + 500);
    expect(all.startsWith(head)).toBe(true);
    expect(all.endsWith(tail)).toBe(true);
    expect(await redis.xlen(`${prefix}big`)).toBeLessThan(20);
  });

  it("expires a log after the retention period", async () => {
    const logs = store({ ttlMs: 60_000 });

    void logs.append("ttl", "x");
    await logs.flush();

    const ttl = await redis.pttl(`${prefix}ttl`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("sets a log's expiry with its first batch, and again only once half of it has passed", async () => {
    const logs = store({ ttlMs: 60_000 });
    const key = `${prefix}keep`;
    const monitor = await redis.monitor();
    const expiries: string[] = [];
    const sentinel = `seen-${randomUUID()}`;
    const seen = new Promise<void>((resolve) =>
      monitor.on("monitor", (_time: string, args: string[]) => {
        if (args[0]?.toLowerCase() === "pexpire" && args[1] === key) expiries.push(args[2] ?? "");
        if (args[1] === sentinel) resolve();
      }),
    );

    for (const line of ["a", "b", "c"]) {
      void logs.append("keep", line);
      await logs.flush();
    }
    const now = Date.now();
    const later = vi.spyOn(Date, "now").mockImplementation(() => now + 31_000);
    void logs.append("keep", "d");
    await logs.flush();
    later.mockRestore();
    await redis.echo(sentinel);
    await seen;
    monitor.disconnect();

    expect(expiries).toEqual(["60000", "60000"]);
    expect(text(await readAll(logs, "keep"))).toBe("abcd");
  });

  it("asks the producer to wait while too much is unwritten, and lets it go once written", async () => {
    const logs = store({ highWaterChars: 100, batchChars: 50 });

    const first = logs.append("bp", "a".repeat(40));
    const second = logs.append("bp", "b".repeat(200));
    await second;

    expect(first).toBeUndefined();
    expect(second).toBeInstanceOf(Promise);
    await logs.flush();
    expect(text(await readAll(logs, "bp"))).toBe("a".repeat(40) + "b".repeat(200));
  });

  it("writes the batches of runs due together, and their expiries, in one pipeline", async () => {
    // A connection of its own: other tests' stores write on the shared one.
    const own = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
    prefix = `test-${randomUUID()}:`;
    const logs = new RedisLogStore(own, { prefix, batchMs: 20 });
    const runs = Array.from({ length: 20 }, (_, i) => `fan${i}`);
    const pipelines = vi.spyOn(own, "pipeline");

    for (const run of runs) logs.appendInfo(run, `Queued stage ${run} (attempt 1)`);
    await expect.poll(async () => (await Promise.all(runs.map((run) => logs.read(run)))).every((page) => page.entries.length === 1)).toBe(true);
    const written = pipelines.mock.calls.length;
    await Promise.all(runs.map((run) => logs.expireSoon(run, 60_000)));

    expect(written).toBe(1);
    expect(pipelines.mock.calls.length).toBe(2);
    expect(await redis.pttl(`${prefix}fan7`)).toBeLessThanOrEqual(60_000);
    own.disconnect();
  });

  it("reports write errors to onError instead of throwing into the writer", async () => {
    const broken = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    broken.on("error", () => {});
    const errors: unknown[] = [];
    const logs = new RedisLogStore(broken, { prefix: "unused:", onError: (e) => errors.push(e) });

    expect(() => logs.append("r", "text")).not.toThrow();
    await logs.flush();

    expect(errors).toHaveLength(1);
    broken.disconnect();
  });
});
