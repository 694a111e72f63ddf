/**
 * Whole logs on the S3 artifact store (a real versitygw): segments are
 * immutable objects, so a log is its segment objects plus a manifest; a
 * range reads only the segments it overlaps; a recovered attempt writes on
 * after what a lost one stored.
 */
import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ArtifactStore } from "../../src/artifacts/s3-artifact-store.js";
import { KeptLogStore } from "../../src/logs/kept-log-store.js";
import { LogArchive } from "../../src/logs/log-archive.js";
import { LogReader } from "../../src/logs/log-reader.js";
import { RedisLogStore } from "../../src/logs/redis-log-store.js";
import { startS3Server, type S3TestServer } from "../helpers/s3-server.js";

const prefix = `test-${randomUUID()}:`;
let server: S3TestServer;
let store: S3ArtifactStore;
let redis: Redis;

beforeAll(async () => {
  server = await startS3Server();
  const bucket = await server.createBucket();
  store = new S3ArtifactStore({ endpoint: server.endpoint, bucket, region: "us-east-1", credentials: server.credentials, keyPrefix: `t-${randomUUID()}/`, forcePathStyle: true });
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await store?.close();
  await server?.stop();
});

function createLogs() {
  const live = new RedisLogStore(redis, { prefix, batchMs: 5 });
  const archive = new LogArchive(store, { retentionMs: 24 * 3600_000, segmentBytes: 256 * 1024 });
  return { logs: new KeptLogStore({ redis: live, archive, maxBytes: 1024 ** 3 }), reader: new LogReader(live, archive) };
}

async function readText(reader: LogReader, run: string, start = 0, end?: number): Promise<string> {
  const view = await reader.view(run);
  if (!("bytes" in view)) throw new Error(view.state);
  const chunks: Buffer[] = [];
  for await (const chunk of reader.read(run, view, start, end ?? view.bytes)) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

function numbers(from: number, to: number): string {
  let text = "";
  for (let i = from; i <= to; i++) text += `${i}\n`;
  return text;
}

describe("whole logs on S3", () => {
  it("stores a log as segment objects and a manifest, readable whole and by range", async () => {
    const { logs, reader } = createLogs();
    const run = `r${randomUUID()}`;
    const output = numbers(1, 400_000);

    for (let i = 0; i < output.length; i += 65_536) await logs.append(run, output.slice(i, i + 65_536));
    await logs.finish(run, { result: "success", summary: "" });

    const files: string[] = [];
    for await (const file of store.listFiles(`log:${run}`)) files.push(file.path);
    expect(files.length).toBeGreaterThan(10);
    expect(files).toContain("manifest.json");
    expect(await readText(reader, run)).toBe(`${output}\n── success ──\n`);
    const at = output.indexOf("\n300000\n") + 1;
    expect(await readText(reader, run, at, at + 14)).toBe("300000\n300001\n");
  }, 60_000);

  it("goes on after the segments a lost attempt stored", async () => {
    const lost = createLogs();
    const run = `r${randomUUID()}`;
    for (let i = 0; i < 3; i++) await lost.logs.append(run, numbers(1, 100_000));
    await lost.logs.flush();

    const { logs, reader } = createLogs();
    await logs.appendLost(run);
    await logs.append(run, "again\n");
    await logs.finish(run, { result: "success", summary: "" });

    const text = await readText(reader, run);
    expect(text.startsWith(numbers(1, 100_000).repeat(3))).toBe(true);
    expect(text).toContain(`its log is kept up to here (${Buffer.byteLength(numbers(1, 100_000)) * 3} bytes)`);
    expect(text.endsWith("again\n\n── success ──\n")).toBe(true);
  }, 60_000);
});
