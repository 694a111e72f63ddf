import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { appendInChunks, readAll, seq, useKeptLogStores } from "../../test/helpers/kept-log-stores.js";
import type { LogView } from "./log-reader.js";

const stores = useKeptLogStores();
const { prefix } = stores;
const createLogs = stores.create;

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
    await expect.poll(() => stores.redis.pttl(`${prefix}${run}`)).toBeLessThanOrEqual(3600_000);
    expect(await stores.redis.pttl(`${prefix}${run}`)).toBeGreaterThan(0);
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
    // What Redis holds of the output (a 1.3 MB log is within its tail: none of it was trimmed).
    let inRedis = 0;
    for (let page = await logs.read(run); page.entries.length > 0; page = await logs.read(run, page.cursor)) {
      for (const entry of page.entries) for (const record of entry.records) if (record.kind === "text") inRedis += record.text.length;
    }
    expect(inRedis).toBeGreaterThanOrEqual(10_000);
    expect(inRedis).toBeLessThan(output.length / 4);
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
    const { logs, reader, errors } = createLogs({ segmentBytes: 16 * 1024, headChars: 10_000, liveMs: 60_000, refuse: (path) => /^00000003-/.test(path) });
    const run = `r${randomUUID()}`;
    const output = seq(1, 30_000);

    await appendInChunks(logs, run, output, 4096);
    await logs.flush();

    const view = (await reader.view(run)) as Extract<LogView, { bytes: number }>;
    expect(view.storedBytes).toBe(2 * 16 * 1024);
    expect(view.bytes).toBe(output.length);
    expect(await readAll(reader, run)).toBe(output);
    expect(errors.map(String)).toEqual([expect.stringContaining("refused 00000003-")]);
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
});
