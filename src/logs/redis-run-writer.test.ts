import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { usePrefixedRedis } from "../../test/helpers/prefixed-redis.js";
import type { LogEntry } from "./log-store.js";
import { RedisLogStore } from "./redis-log-store.js";

const db = usePrefixedRedis();
const { prefix } = db;

/** A log the store keeps, as RedisRunWriter sees it: its text so far (ASCII, so offsets are indexes) and how much is stored. */
function keptLog(stored: () => number) {
  let whole = "";
  return (text: string) => {
    whole += text;
    return { bytes: text.length, storedBytes: stored, textAt: (start: number, end: number) => (end <= whole.length ? whole.slice(start, end) : undefined) };
  };
}

/** Every entry of the run's stream, as [offset, text of its records]. */
async function entries(logs: RedisLogStore, run: string): Promise<[number | undefined, string][]> {
  const page = await logs.read(run, undefined, 10_000);
  return page.entries.map((entry: LogEntry) => [entry.offset, entry.records.map((r) => (r.kind === "text" ? r.text : `<${r.kind}>`)).join("")]);
}

describe("RedisRunWriter past the head of a log the store keeps whole", () => {
  it("leaves out what the store holds by the time it is due, and writes the rest with its offset", async () => {
    const logs = new RedisLogStore(db.redis, { prefix, headChars: 10, batchChars: 10, batchMs: 5, liveMs: 60_000 });
    const run = `r${randomUUID()}`;
    let stored = 0;
    const kept = keptLog(() => stored);
    const pieces = ["head-10ch\n", "aaaaaaaa", "bbbbbbbb", "cccccccc", "dddddddd"];
    let offset = 0;

    for (const text of pieces) {
      void logs.add(run, { kind: "text", text }, offset, kept(text));
      offset += text.length;
    }
    // The store now holds the head, a's and b's: only c's and d's are left for Redis.
    stored = 26;
    await logs.finishAt(run, { result: "success", summary: "" }, offset);

    const written = await entries(logs, run);
    expect(written[0]).toEqual([0, "head-10ch\n"]);
    // The note says Redis' copy is not the whole log; the next entry starts where Redis goes on.
    expect(written.slice(1).map(([at, text]) => [at, text.replace(/<truncated>/, "")]).filter(([, text]) => text !== "")).toEqual([
      [26, "cccccccc"],
      [34, "dddddddd"],
      [42, "<end>"],
    ]);
    expect(written.some(([, text]) => text.includes("<truncated>"))).toBe(true);
  });

  it("sends slow output past the head at batchMs, not liveMs after it was held", async () => {
    // liveMs longer than expect.poll waits: only a release at batchMs shows the output in time.
    const logs = new RedisLogStore(db.redis, { prefix, headChars: 4, batchChars: 100, batchMs: 5, liveMs: 60_000 });
    const run = `r${randomUUID()}`;
    const kept = keptLog(() => 0);

    void logs.add(run, { kind: "text", text: "head" }, 0, kept("head"));
    void logs.add(run, { kind: "text", text: "slow\n" }, 4, kept("slow\n"));

    // Less than a batch: it goes as soon as a batch would.
    await expect.poll(async () => (await entries(logs, run)).map(([, text]) => text).join("")).toContain("slow\n");
    await logs.finishAt(run, { result: "success", summary: "" }, 9);
  });

  it("holds fast output past the head until liveMs after it was held, then sends it whole", async () => {
    const logs = new RedisLogStore(db.redis, { prefix, headChars: 4, batchChars: 100, batchMs: 5, liveMs: 150 });
    const run = `r${randomUUID()}`;
    const kept = keptLog(() => 0);
    void logs.add(run, { kind: "text", text: "head" }, 0, kept("head"));
    const fast = "f".repeat(250);
    const start = Date.now();

    void logs.add(run, { kind: "text", text: fast }, 4, kept(fast));
    await expect.poll(async () => (await entries(logs, run)).map(([, text]) => text).join("")).toContain(fast);

    // The store never took it: it waited for it until liveMs, then went to Redis whole.
    expect(Date.now() - start).toBeGreaterThanOrEqual(150);
    await logs.finishAt(run, { result: "success", summary: "" }, 254);
  });

  it("holds back no more than the tail Redis keeps when the store does not keep up", async () => {
    const logs = new RedisLogStore(db.redis, { prefix, headChars: 4, tailChars: 20, batchChars: 10, batchMs: 5, liveMs: 60_000 });
    const run = `r${randomUUID()}`;
    const kept = keptLog(() => 0);
    let offset = 0;

    for (const text of ["head", ...Array.from({ length: 10 }, (_, i) => String(i).repeat(10))]) {
      void logs.add(run, { kind: "text", text }, offset, kept(text));
      offset += text.length;
    }
    await logs.flush();

    // As when every piece was written and the oldest trimmed: the head, then the last pieces.
    expect(await entries(logs, run)).toEqual([
      [0, "head"],
      [undefined, "<truncated>"],
      [84, "8888888888"],
      [94, "9999999999"],
    ]);
  });
});
