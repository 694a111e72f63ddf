import { randomUUID } from "node:crypto";
import { brotliCompressSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { appendInChunks, DAY, readAll, seq, useKeptLogStores } from "../../test/helpers/kept-log-stores.js";

const stores = useKeptLogStores();
const createLogs = stores.create;

async function readStored(container: string, path: string): Promise<Buffer> {
  const { body } = await stores.store.readFile(container, path);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("KeptLogStore: a log across attempts and processes, kept until its retention is over", () => {
  it("says the log is whole once a reader sees every line and the end, before the store has finished keeping it", async () => {
    const { logs, reader, archive } = createLogs();
    const run = `r${randomUUID()}`;
    let finalise = () => {};
    const finalising = new Promise<void>((resolve) => (finalise = resolve));
    const original = archive.finalise.bind(archive);
    vi.spyOn(archive, "finalise").mockImplementation(async (...args) => {
      await finalising;
      await original(...args);
    });
    await logs.append(run, seq(1, 100));

    let kept = false;
    let whole = () => {};
    const readable = new Promise<void>((resolve) => (whole = resolve));
    const finished = logs.finish(run, { result: "success", summary: "" }, whole).then(() => (kept = true));
    await readable;

    const text = `${seq(1, 100)}\n── success ──\n`;
    expect(await readAll(reader, run)).toBe(text);
    expect(kept).toBe(false);
    finalise();
    await finished;
    expect(await readAll(reader, run)).toBe(text);
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

  it("goes on after a lost attempt's part that an earlier Eve stored in a segments folder", async () => {
    const run = `r${randomUUID()}`;
    const part = "stored by an earlier Eve\n";
    await stores.store.createContainer(`log:${run}`, { kind: "logs", expiresAt: null }, [
      { path: `segments/00000001-000000000000000-${String(part.length).padStart(10, "0")}.br`, body: brotliCompressSync(part), unique: true },
    ]);

    const { logs, reader } = createLogs();
    await logs.appendLost(run);
    await logs.append(run, "again\n");
    await logs.finish(run, { result: "success", summary: "" });

    expect(await readAll(reader, run)).toBe(`${part}── The worker process running this stage was lost (killed or cut off): its log is kept up to here (${part.length} bytes); what it printed after that was lost. Eve runs the stage again on a fresh workspace. ──\nagain\n\n── success ──\n`);
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

  it("writes on after the Queued line another process wrote, which the store gets from Redis when the stage starts", async () => {
    const app = createLogs();
    const run = `r${randomUUID()}`;
    await app.logs.appendQueued(run, "Queued stage build (attempt 1)");
    const files: string[] = [];
    for await (const file of stores.store.listFiles(`log:${run}`)) files.push(file.path);
    expect(files).toEqual([]);

    const { logs, reader, live } = createLogs();
    const reads = vi.spyOn(live, "read");
    logs.appendStep(run, 0, "hello");
    await logs.append(run, "hi\n");
    await logs.finish(run, { result: "success", summary: "" });

    expect(await readAll(reader, run)).toBe("Queued stage build (attempt 1)\n\n── step 1: hello ──\nhi\n\n── success ──\n");
    expect(await reader.view(run)).toMatchObject({ steps: [{ index: 0, name: "hello", offset: 31 }] });
    // One page held it all: no second read to find nothing more.
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it("copies a start Redis holds in more than one page of entries", async () => {
    const app = createLogs();
    const run = `r${randomUUID()}`;
    // An earlier process wrote 1,001 entries with no store: one entry each, at its offset.
    let offset = 0;
    for (let i = 0; i < 1001; i++) {
      const line = `Queued ${i}`;
      void app.live.add(run, { kind: "info", line }, offset);
      await app.live.release(run);
      offset += Buffer.byteLength(`${line}\n`);
    }

    const { logs, reader, live, errors } = createLogs();
    const reads = vi.spyOn(live, "read");
    await logs.append(run, "hi\n");
    await logs.finish(run, { result: "success", summary: "" });

    const queued = Array.from({ length: 1001 }, (_, i) => `Queued ${i}\n`).join("");
    expect(await readAll(reader, run)).toBe(`${queued}hi\n\n── success ──\n`);
    expect(reads).toHaveBeenCalledTimes(2);
    expect(errors).toEqual([]);
  });

  it("starts a run it queued itself after its Queued line, in Redis and in the store alike", async () => {
    const { logs, reader, errors } = createLogs();
    const run = `r${randomUUID()}`;
    // The stage starts before the Queued line has reached Redis: its writes must wait for it, not read Redis' log before.
    const order: string[] = [];
    const release = logs.redis.release.bind(logs.redis);
    const read = logs.redis.read.bind(logs.redis);
    vi.spyOn(logs.redis, "release").mockImplementation(async (id) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await release(id);
      order.push("queued line written");
    });
    vi.spyOn(logs.redis, "read").mockImplementation((id, cursor, count) => {
      order.push("log read");
      return read(id, cursor, count);
    });
    const queued = logs.appendQueued(run, "Queued stage build (attempt 1)");
    logs.appendStep(run, 0, "hello");
    await logs.append(run, "hi\n");
    await logs.finish(run, { result: "success", summary: "" });
    await queued;

    expect(order[0]).toBe("queued line written");
    const whole = "Queued stage build (attempt 1)\n\n── step 1: hello ──\nhi\n\n── success ──\n";
    expect(await readAll(reader, run)).toBe(whole);
    const live = (await logs.read(run)).entries;
    expect(live.map((entry) => entry.offset)).toEqual([0, 31]);
    expect(await reader.view(run)).toMatchObject({ state: "finished", steps: [{ index: 0, name: "hello", offset: 31 }] });
    expect(errors).toEqual([]);
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
    for await (const file of stores.store.listFiles(`log:${run}`)) files.push(file.path);
    expect(files).toEqual([expect.stringMatching(/^00000001-0{15}-\d{10}\.br$/), "manifest.json"]);
    const manifest = JSON.parse((await readStored(`log:${run}`, "manifest.json")).toString()) as { logExpiresAt: string };
    expect(Date.parse(manifest.logExpiresAt)).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect((await stores.store.getContainer(`log:${run}`))?.properties).toEqual({ run, logExpiresAt: manifest.logExpiresAt });
    expect(await readAll(reader, run)).toBe("\n── step 1: quick ──\ndone\n\n── success ──\n");
    expect(errors).toEqual([]);
  });

  it("counts retention from the log's end, not from when its container was made", async () => {
    const lost = createLogs();
    const run = `r${randomUUID()}`;
    await lost.logs.append(run, "Queued stage build (attempt 1)\n");
    await lost.logs.flush();
    // A lost attempt made the container a day before the stage ran again.
    await stores.store.updateContainer(`log:${run}`, { properties: { run, logExpiresAt: new Date(Date.now() + 29 * DAY).toISOString() } });
    const { logs, archive } = createLogs();
    await logs.append(run, "ran\n");
    await logs.finish(run, { result: "success", summary: "" });

    const notYet = await archive.sweep(new Date(Date.now() + 29.5 * DAY));
    const kept = await archive.lookup(run, new Date(Date.now() + 29.5 * DAY));
    const moved = await stores.store.getContainer(`log:${run}`);
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
    expect(await stores.store.statFile(`log:${run}`, "manifest.json")).toBeUndefined();
    expect(await reader.view(`r${randomUUID()}`)).toEqual({ state: "missing" });
  });
});
