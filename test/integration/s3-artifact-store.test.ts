import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ArtifactStore } from "../../src/artifacts/s3-artifact-store.js";
import { describeArtifactStoreContract } from "../contract/artifact-store-contract.js";
import { startS3Server, type S3TestServer } from "../helpers/s3-server.js";

let server: S3TestServer;
let bucket: string;

// The first run builds versitygw from source (minutes); later runs find it cached.
beforeAll(async () => {
  server = await startS3Server();
  bucket = await server.createBucket();
}, 20 * 60_000);

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
    return { store, cleanup: async () => store.destroy() };
  },
  { largeBytes: 210 * 1024 * 1024 },
);

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
    a.destroy();
    b.destroy();
  });
});
