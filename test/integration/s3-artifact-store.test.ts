import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { S3ArtifactStore } from "../../src/artifacts/s3-artifact-store.js";
import { describeArtifactStoreContract } from "../contract/artifact-store-contract.js";
import { startS3Server, type S3TestServer } from "../helpers/s3-server.js";

let server: S3TestServer;
let bucket: string;

beforeAll(async () => {
  server = await startS3Server();
  bucket = await server.createBucket();
});

afterAll(async () => {
  await server?.stop();
});

const createStore = (keyPrefix: string): S3ArtifactStore =>
  new S3ArtifactStore({ endpoint: server.endpoint, bucket, region: "us-east-1", credentials: server.credentials, keyPrefix, forcePathStyle: true });

describeArtifactStoreContract(
  "s3 (versitygw)",
  async () => {
    // One key prefix per test: the tests share a bucket and do not see each other.
    const store = createStore(`t-${randomUUID()}/`);
    return { store, cleanup: () => store.close() };
  },
  { largeBytes: 210 * 1024 * 1024 },
);

/** The bucket's keys under a prefix, read with a plain client (what the store left behind). */
async function listKeys(prefix: string): Promise<string[]> {
  const client = new S3Client({ endpoint: server.endpoint, region: "us-east-1", forcePathStyle: true, credentials: server.credentials });
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((object) => (object.Key ?? "").slice(prefix.length)).sort();
  } finally {
    client.destroy();
  }
}

async function deleteKey(key: string): Promise<void> {
  const client = new S3Client({ endpoint: server.endpoint, region: "us-east-1", forcePathStyle: true, credentials: server.credentials });
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  client.destroy();
}

async function putKey(key: string): Promise<void> {
  const client = new S3Client({ endpoint: server.endpoint, region: "us-east-1", forcePathStyle: true, credentials: server.credentials });
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "" }));
  client.destroy();
}

describe("S3ArtifactStore garbage collection", () => {
  const DAY = 86_400_000;

  it("keeps an expiry index, moves an entry when the expiry changes, and drops it with the container", async () => {
    const prefix = `t-${randomUUID()}/`;
    const store = createStore(prefix);
    await store.ensureContainer("github:o:r:a", { expiresAt: "2030-01-01T00:00:00Z" });
    await store.ensureContainer("github:o:r:b", { expiresAt: "2030-01-02T00:00:00.000Z" });
    await store.ensureContainer("github:o:r:kept", { expiresAt: null });

    await store.updateContainer("github:o:r:a", { expiresAt: "2031-01-01T00:00:00.000Z" });
    const indexed = await listKeys(`${prefix}expiry/`);
    const report = await store.gc(new Date("2030-06-01T00:00:00Z"));

    expect(indexed).toEqual(["2030-01-02T00:00:00.000Z/github:o:r:b", "2031-01-01T00:00:00.000Z/github:o:r:a"]);
    expect(report.containersDeleted).toEqual(["github:o:r:b"]);
    expect(await listKeys(`${prefix}expiry/`)).toEqual(["2031-01-01T00:00:00.000Z/github:o:r:a"]);
    expect(await store.getContainer("github:o:r:a")).toMatchObject({ expiresAt: "2031-01-01T00:00:00.000Z" });
    await store.close();
  });

  it("finishes a deletion and removes a copy that were cut short, once they are a day old", async () => {
    const prefix = `t-${randomUUID()}/`;
    const store = createStore(prefix);
    await store.ensureContainer("github:o:r:deleted", { expiresAt: null });
    await store.putFile("github:o:r:deleted", "a", Readable.from([Buffer.from("a")]));
    await store.putFile("github:o:r:deleted", "dir/b", Readable.from([Buffer.from("b")]));
    // A process died right after deleting the metadata; another one in the middle of a copy.
    await putKey(`${prefix}pending/github:o:r:deleted`);
    await deleteKey(`${prefix}meta/github:o:r:deleted.json`);
    await store.ensureContainer("github:o:r:half-copied", { expiresAt: null });
    await store.putFile("github:o:r:half-copied", "c", Readable.from([Buffer.from("c")]));
    await putKey(`${prefix}pending/github:o:r:half-copied`);
    await deleteKey(`${prefix}meta/github:o:r:half-copied.json`);
    // A finished copy whose mark was not removed keeps everything.
    await store.ensureContainer("github:o:r:whole", { expiresAt: null });
    await store.putFile("github:o:r:whole", "d", Readable.from([Buffer.from("d")]));
    await putKey(`${prefix}pending/github:o:r:whole`);

    const young = await store.gc(new Date(Date.now() + 2 * DAY)); // marks younger than a day: work going on
    const later = new S3ArtifactStore(
      { endpoint: server.endpoint, bucket, region: "us-east-1", credentials: server.credentials, keyPrefix: prefix, forcePathStyle: true },
      { staleAfterMs: 0 }, // as if a day had passed
    );
    const old = await later.gc(new Date());
    await later.close();

    expect(young).toEqual({ containersDeleted: [], objectsDeleted: 0 });
    expect(old).toEqual({ containersDeleted: [], objectsDeleted: 3 });
    expect(await listKeys(`${prefix}files/`)).toEqual(["github:o:r:whole/d"]);
    expect(await listKeys(`${prefix}pending/`)).toEqual([]);
    await store.close();
  });
});

describe("S3ArtifactStore", () => {
  it("keeps installations that share a bucket apart by key prefix", async () => {
    const a = createStore(`t-${randomUUID()}/`);
    const b = createStore(`t-${randomUUID()}/`);
    await a.ensureContainer("github:o:r:c", { expiresAt: null });
    await a.putFile("github:o:r:c", "f", Readable.from([Buffer.from("only in a")]));

    const seenByB: string[] = [];
    for await (const container of b.listContainers("")) seenByB.push(container.name);

    expect(seenByB).toEqual([]);
    expect(await b.statFile("github:o:r:c", "f")).toBeUndefined();
    expect(await b.gc(new Date("2100-01-01T00:00:00Z"))).toEqual({ containersDeleted: [], objectsDeleted: 0 });
    expect(await a.statFile("github:o:r:c", "f")).toMatchObject({ size: 9 });
    await a.close();
    await b.close();
  });

  it("copies files too big for a server-side copy by streaming them through", async () => {
    const store = new S3ArtifactStore(
      { endpoint: server.endpoint, bucket, region: "us-east-1", credentials: server.credentials, keyPrefix: `t-${randomUUID()}/`, forcePathStyle: true },
      { maxServerCopyBytes: 1000 },
    );
    const big = Buffer.alloc(9 * 1024 * 1024, 3); // over one 8 MiB part: a multipart upload
    await store.ensureContainer("github:o:r:c", { expiresAt: null });
    await store.putFile("github:o:r:c", "small", Readable.from([Buffer.from("server-side")]));
    await store.putFile("github:o:r:c", "dir/big", Readable.from([big]));

    await store.copyContainer("github:o:r:c", "github:o:r:promoted-1", { expiresAt: null });

    const copied = await store.readFile("github:o:r:promoted-1", "dir/big");
    const parts: Buffer[] = [];
    for await (const part of copied.body) parts.push(part as Buffer);
    expect(Buffer.concat(parts).equals(big)).toBe(true);
    expect(await store.statFile("github:o:r:promoted-1", "small")).toMatchObject({ size: 11 });
    await store.close();
  });

  it("fails cleanly when the server refuses, and ends the source", async () => {
    const good = createStore(`t-${randomUUID()}/`);
    await good.ensureContainer("github:o:r:c", { expiresAt: null });
    const forged = new S3ArtifactStore({ endpoint: server.endpoint, bucket, region: "us-east-1", credentials: { accessKeyId: "eve-test", secretAccessKey: "wrong" }, keyPrefix: "", forcePathStyle: true });
    const missingBucket = new S3ArtifactStore({ endpoint: server.endpoint, bucket: "no-such-bucket", region: "us-east-1", credentials: server.credentials, keyPrefix: "", forcePathStyle: true });
    const source = Readable.from([Buffer.alloc(1000)]);

    await expect(forged.getContainer("github:o:r:c")).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(missingBucket.ensureContainer("github:o:r:c", { expiresAt: null })).rejects.toMatchObject({ name: "NoSuchBucket" });
    await expect(missingBucket.getContainer("github:o:r:c")).rejects.toMatchObject({ name: "NoSuchBucket" });
    await expect(forged.putFile("github:o:r:c", "f", Readable.from([Buffer.alloc(10)]))).rejects.toThrow();
    // versitygw's posix backend cannot store a file where a folder is (AWS could).
    await good.putFile("github:o:r:c", "dir/file", Readable.from([Buffer.from("x")]));
    await expect(good.putFile("github:o:r:c", "dir", source)).rejects.toThrow();
    await forged.close();
    await missingBucket.close();
    await good.close();
  });

  it("fails a put whose server goes away mid-upload, and ends the source instead of leaving it unread", async () => {
    const doomed = await startS3Server();
    const store = new S3ArtifactStore({ endpoint: doomed.endpoint, bucket: await doomed.createBucket(), region: "us-east-1", credentials: doomed.credentials, keyPrefix: "", forcePathStyle: true });
    await store.ensureContainer("github:o:r:c", { expiresAt: null });
    let sent = 0;
    const source = Readable.from(
      (async function* () {
        for (;;) {
          sent += 1;
          // Two parts in flight: once 24 MiB were read, the server is surely in the middle of them.
          if (sent === 384) void doomed.stop();
          yield Buffer.alloc(65_536, sent);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
    );

    await expect(store.putFile("github:o:r:c", "big.bin", source)).rejects.toThrow();

    expect(source.destroyed).toBe(true);
    await store.close();
    await doomed.stop();
  }, 120_000);
});
