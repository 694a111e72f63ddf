import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DiskArtifactStore } from "../artifacts/disk-artifact-store.js";
import { KeptLogStore } from "./kept-log-store.js";
import { LogArchive } from "./log-archive.js";
import { LogReader, type LogView } from "./log-reader.js";
import { RedisLogStore } from "./redis-log-store.js";

let redis: Redis;
let dir: string;
let store: DiskArtifactStore;
const prefix = `test-${randomUUID()}:`;
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  dir = mkdtempSync(join(tmpdir(), "eve-kept-log-"));
  store = await new DiskArtifactStore(dir).init();
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

function createLogs(options: { maxBytes?: number; segmentBytes?: number; segmentMs?: number; headChars?: number; liveMs?: number; refuse?: (path: string) => boolean } = {}) {
  const { headChars, liveMs } = options;
  const live = new RedisLogStore(redis, { prefix, batchMs: 5, ...(headChars === undefined ? {} : { headChars }), ...(liveMs === undefined ? {} : { liveMs }) });
  const { refuse } = options;
  // The disk store, refusing the files `refuse` names (a store that fails for good).
  const putFile: DiskArtifactStore["putFile"] = async (container, path, body, putOptions) => {
    if (refuse?.(path)) throw new Error(`refused ${path}`);
    return store.putFile(container, path, body, putOptions);
  };
  const files = new Proxy(store, {
    get: (target, name) => {
      const value: unknown = name === "putFile" ? putFile : Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const errors: unknown[] = [];
  const archive = new LogArchive(files, { retentionMs: 30 * DAY, segmentBytes: options.segmentBytes ?? 64 * 1024, segmentMs: options.segmentMs ?? 50, onError: (error) => errors.push(error) });
  const logs = new KeptLogStore({ redis: live, archive, maxBytes: options.maxBytes ?? 1024 ** 3, onError: (error) => errors.push(error) });
  return { logs, live, reader: new LogReader(live, archive), archive, errors };
}

async function readAll(reader: LogReader, run: string, start = 0, end?: number): Promise<string> {
  const view = await reader.view(run);
  if (!("bytes" in view)) throw new Error(`no log: ${view.state}`);
  const chunks: Buffer[] = [];
  for await (const chunk of reader.read(run, view, start, end ?? view.bytes)) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function readStored(container: string, path: string): Promise<Buffer> {
  const { body } = await store.readFile(container, path);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** What `seq 1 n` prints. */
function seq(from: number, to: number): string {
  let text = "";
  for (let i = from; i <= to; i++) text += `${i}\n`;
  return text;
}

async function appendInChunks(logs: KeptLogStore, run: string, text: string, chunk = 65_536): Promise<void> {
  for (let i = 0; i < text.length; i += chunk) await logs.append(run, text.slice(i, i + chunk));
}

describe("KeptLogStore: Redis for the live view, the artifact store for the whole log", () => {
  it("keeps every line of a 1.3-million-line step, readable whole and by range once the stage ends", async () => {
    const { logs, reader, errors } = createLogs({ segmentBytes: 1024 * 1024 });
    const run = `r${randomUUID()}`;
    const output = seq(1, 1_300_000);

    logs.appendStep(run, 0, "count");
    await appendInChunks(logs, run, output);
    await logs.finish(run, { result: "success", summary: "" });

    const header = "\n── step 1: count ──\n";
    const whole = `${header}${output}\n── success ──\n`;
    const view = (await reader.view(run)) as Extract<LogView, { bytes: number }>;
    expect(view).toMatchObject({ state: "finished", bytes: Buffer.byteLength(whole), steps: [{ index: 0, name: "count", offset: 0 }], end: { result: "success" } });
    expect(view.segments.length).toBeGreaterThan(5);
    expect(await readAll(reader, run)).toBe(whole);
    const start = Buffer.byteLength(whole.slice(0, whole.indexOf("\n654321\n") + 1));
    expect(await readAll(reader, run, start, start + 14)).toBe("654321\n654322\n");
    // Redis' copy goes soon: the store has the whole log.
    expect(await redis.pttl(`${prefix}${run}`)).toBeLessThanOrEqual(3600_000);
    expect(await redis.pttl(`${prefix}${run}`)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it("serves a live log from the store's segments and Redis' entries after them", async () => {
    const { logs, reader } = createLogs({ segmentBytes: 4096 });
    const run = `r${randomUUID()}`;
    const first = seq(1, 5000);

    logs.appendInfo(run, "spawned");
    await appendInChunks(logs, run, first, 1000);
    await logs.flush();
    const view = await reader.view(run);

    expect(view).toMatchObject({ state: "live", bytes: Buffer.byteLength(`spawned\n${first}`) });
    expect(await readAll(reader, run)).toBe(`spawned\n${first}`);
    expect(await readAll(reader, run, 8, 18)).toBe("1\n2\n3\n4\n5\n");
    await logs.finish(run, { result: "failure", summary: "exited 1" });
    expect(await readAll(reader, run)).toBe(`spawned\n${first}\n── failure: exited 1 ──\n`);
  });

  it("past Redis' head, sends Redis only what the store does not hold yet; the live log reads whole throughout", async () => {
    const { logs, reader, errors } = createLogs({ segmentBytes: 16 * 1024, headChars: 10_000 });
    const run = `r${randomUUID()}`;
    const output = seq(1, 200_000);
    const xadds = vi.spyOn(redis, "xadd");

    for (let i = 0; i < output.length; i += 4096) {
      await logs.append(run, output.slice(i, i + 4096));
      // Whatever a reader sees while the run is live is the log's start, whole: the store's part, then Redis'.
      if (i % (64 * 4096) === 0) {
        const view = await reader.view(run);
        // (Before its first batch, no one has the log yet.)
        const bytes = "bytes" in view ? view.bytes : 0;
        if (bytes > 0) expect(await readAll(reader, run, 0, bytes)).toBe(output.slice(0, bytes));
      }
    }
    await logs.flush();
    expect(await readAll(reader, run)).toBe(output);
    await logs.finish(run, { result: "success", summary: "" });

    expect(await readAll(reader, run)).toBe(`${output}\n── success ──\n`);
    const sent = xadds.mock.calls.reduce((sum, call) => sum + call.slice(2).reduce<number>((chars, arg) => chars + String(arg).length, 0), 0);
    expect(sent).toBeLessThan(output.length / 4);
    expect(errors).toEqual([]);
  });

  it("reads a live log whole when the store took a part Redis left out while the reader looked", async () => {
    const { logs, live, reader, archive } = createLogs({ segmentBytes: 4096, segmentMs: 60_000, headChars: 1000 });
    const run = `r${randomUUID()}`;
    const [first, second, third] = [seq(1, 2000), seq(2001, 6000), seq(6001, 6010)];
    await appendInChunks(logs, run, first, 1000);
    await logs.flush();
    const lookup = archive.lookup.bind(archive);
    let grow = true;
    // While the reader's first look at the store is under way, the log grows: the store takes the
    // second part (so Redis leaves it out), Redis alone the third.
    vi.spyOn(archive, "lookup").mockImplementation(async (...args) => {
      const found = await lookup(...args);
      if (grow) {
        grow = false;
        await appendInChunks(logs, run, second, 1000);
        await logs.flush();
        await logs.append(run, third);
        await live.flush();
      }
      return found;
    });

    expect(await readAll(reader, run)).toBe(first + second + third);
  });

  it("gives Redis what it deferred, and all output after, once the store gives a segment up: the live log still reads whole", async () => {
    // Redis would take deferred output only at the flush, after the store gave up.
    const { logs, reader, errors } = createLogs({ segmentBytes: 16 * 1024, headChars: 10_000, liveMs: 60_000, refuse: (path) => /^segments\/00000003-/.test(path) });
    const run = `r${randomUUID()}`;
    const output = seq(1, 30_000);

    await appendInChunks(logs, run, output, 4096);
    await logs.flush();

    const view = (await reader.view(run)) as Extract<LogView, { bytes: number }>;
    expect(view.storedBytes).toBe(2 * 16 * 1024);
    expect(view.bytes).toBe(output.length);
    expect(await readAll(reader, run)).toBe(output);
    expect(errors.map(String)).toEqual([expect.stringContaining("refused segments/00000003-")]);
  }, 20_000);

  it("drops output past the limit and says plainly what it dropped, where and at the end", async () => {
    const { logs, reader } = createLogs({ maxBytes: 1000 });
    const run = `r${randomUUID()}`;

    await logs.append(run, "x".repeat(900));
    await logs.append(run, "y".repeat(300));
    await logs.append(run, "z".repeat(50));
    await logs.finish(run, { result: "success", summary: "" });

    const text = await readAll(reader, run);
    expect(text).toBe(`${"x".repeat(900)}${"y".repeat(100)}\n── log limit reached: Eve keeps the first 1000 bytes of a stage's log (EVE_LOG_MAX_BYTES): the rest of the output is not kept, only the end of the stage ──\n`
      + "── log limit reached: Eve keeps the first 1000 bytes of a stage's log (EVE_LOG_MAX_BYTES): 250 bytes of output after it were not kept ──\n\n── success ──\n");
    expect(await reader.view(run)).toMatchObject({ droppedBytes: 250 });
  });

  it("goes on after a lost attempt's stored part, and says where that part ends", async () => {
    const lost = createLogs({ segmentBytes: 1024 });
    const run = `r${randomUUID()}`;
    await appendInChunks(lost.logs, run, seq(1, 2000), 500);
    await lost.logs.flush(); // what reached the store before the process died; it never finishes

    const { logs, reader } = createLogs();
    await logs.appendLost(run);
    await logs.append(run, "again\n");
    await logs.finish(run, { result: "success", summary: "" });

    const kept = Buffer.byteLength(seq(1, 2000));
    expect(await readAll(reader, run)).toBe(`${seq(1, 2000)}── The worker process running this stage was lost (killed or cut off): its log is kept up to here (${kept} bytes); what it printed after that was lost. Eve runs the stage again on a fresh workspace. ──\nagain\n\n── success ──\n`);
  });

  it("lists a lost attempt's steps before the new attempt's in the finished log", async () => {
    const lost = createLogs({ segmentBytes: 1024 });
    const run = `r${randomUUID()}`;
    lost.logs.appendStep(run, 0, "build");
    await appendInChunks(lost.logs, run, seq(1, 2000), 500);
    await lost.logs.flush();

    const { logs, reader } = createLogs();
    await logs.appendLost(run);
    logs.appendStep(run, 0, "build");
    await logs.append(run, "again\n");
    await logs.finish(run, { result: "success", summary: "" });

    const view = await reader.view(run);
    const text = await readAll(reader, run);
    const again = Buffer.byteLength(text.slice(0, text.lastIndexOf("\n── step 1: build ──")));
    expect(view).toMatchObject({ state: "finished", steps: [{ index: 0, name: "build", offset: 0 }, { index: 0, name: "build", offset: again }] });
  });

  it("writes on after a line another process wrote and released (the Queued line)", async () => {
    const app = createLogs();
    const run = `r${randomUUID()}`;
    app.logs.appendInfo(run, "Queued stage build (attempt 1)");
    await app.logs.release(run);

    const { logs, reader } = createLogs();
    logs.appendStep(run, 0, "hello");
    await logs.append(run, "hi\n");
    await logs.finish(run, { result: "success", summary: "" });

    expect(await readAll(reader, run)).toBe("Queued stage build (attempt 1)\n\n── step 1: hello ──\nhi\n\n── success ──\n");
    expect(await reader.view(run)).toMatchObject({ steps: [{ index: 0, name: "hello", offset: 31 }] });
  });

  it("stores a short log as one container made whole: its segment and its manifest, retention from the end", async () => {
    // A stage shorter than a segment's age: its whole log is cut once, at its end.
    const { logs, reader, errors } = createLogs({ segmentMs: 60_000 });
    const run = `r${randomUUID()}`;
    const before = Date.now();

    logs.appendStep(run, 0, "quick");
    await logs.append(run, "done\n");
    await logs.finish(run, { result: "success", summary: "" });

    const files: string[] = [];
    for await (const file of store.listFiles(`log:${run}`)) files.push(file.path);
    expect(files).toEqual(["manifest.json", expect.stringMatching(/^segments\/00000001-0{15}-\d{10}\.br$/)]);
    const manifest = JSON.parse((await readStored(`log:${run}`, "manifest.json")).toString()) as { logExpiresAt: string };
    expect(Date.parse(manifest.logExpiresAt)).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect((await store.getContainer(`log:${run}`))?.properties).toEqual({ run, logExpiresAt: manifest.logExpiresAt });
    expect(await readAll(reader, run)).toBe("\n── step 1: quick ──\ndone\n\n── success ──\n");
    expect(errors).toEqual([]);
  });

  it("counts retention from the log's end, not from when its container was made", async () => {
    const app = createLogs();
    const run = `r${randomUUID()}`;
    app.logs.appendInfo(run, "Queued stage build (attempt 1)");
    await app.logs.release(run);
    // The stage ran a day after it was queued.
    await store.updateContainer(`log:${run}`, { properties: { run, logExpiresAt: new Date(Date.now() + 29 * DAY).toISOString() } });
    const { logs, archive } = createLogs();
    await logs.append(run, "ran\n");
    await logs.finish(run, { result: "success", summary: "" });

    const notYet = await archive.sweep(new Date(Date.now() + 29.5 * DAY));
    const kept = await archive.lookup(run, new Date(Date.now() + 29.5 * DAY));
    const moved = await store.getContainer(`log:${run}`);
    const swept = await archive.sweep(new Date(Date.now() + 31 * DAY));

    expect(notYet).not.toContain(run);
    expect(kept).toMatchObject({ state: "stored", bytes: Buffer.byteLength("Queued stage build (attempt 1)\nran\n\n── success ──\n") });
    expect(Date.parse(moved?.properties?.logExpiresAt ?? "")).toBeGreaterThan(Date.now() + 29.9 * DAY);
    expect(swept).toContain(run);
    expect(await archive.lookup(run, new Date(Date.now() + 31 * DAY))).toMatchObject({ state: "expired" });
  });

  it("answers expired once the retention is over, and sweeps the segments", async () => {
    const { logs, reader, archive } = createLogs();
    const run = `r${randomUUID()}`;
    await logs.append(run, "old\n");
    await logs.finish(run, { result: "success", summary: "" });

    const swept = await archive.sweep(new Date(Date.now() + 31 * DAY));

    expect(swept).toContain(run);
    expect(await archive.lookup(run, new Date(Date.now() + 31 * DAY))).toMatchObject({ state: "expired" });
    expect(await store.statFile(`log:${run}`, "manifest.json")).toBeUndefined();
    expect(await reader.view(`r${randomUUID()}`)).toEqual({ state: "missing" });
  });
});
