/**
 * A real S3-compatible server for the S3 store's tests: versitygw (posix backend), built from source
 * with Go (test/required-programs.txt), on a free loopback port with a temporary directory, stopped
 * and removed by `stop()`.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

export interface S3TestServer {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Creates a bucket and returns its name. */
  createBucket(): Promise<string>;
  stop(): Promise<void>;
}

/** The server's program: test/required-programs.txt installs it (npm test does, as root). */
const VERSITYGW = process.env.EVE_TEST_VERSITYGW ?? "versitygw";
const INSTALL = "GOBIN=/usr/local/bin go install github.com/versity/versitygw/cmd/versitygw@v1.8.0 (npm test installs it as root: test/required-programs.txt)";

export async function startS3Server(): Promise<S3TestServer> {
  const dir = await mkdtemp(join(tmpdir(), "eve-test-s3-"));
  const port = await freePort();
  const credentials = { accessKeyId: "eve-test", secretAccessKey: "eve-test-secret-key" };
  const child = spawn(VERSITYGW, ["--access", credentials.accessKeyId, "--secret", credentials.secretAccessKey, "--port", `127.0.0.1:${port}`, "--quiet", "posix", dir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  let spawnError: Error | undefined;
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (error) => {
      spawnError = new Error(`versitygw cannot be started (${error.message}): ${INSTALL}`);
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(endpoint, () => spawnError ?? (child.exitCode !== null ? new Error(`versitygw exited at start-up: ${stderr}`) : undefined));
  } catch (error) {
    await stop();
    throw error;
  }
  const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
  let buckets = 0;
  return {
    endpoint,
    credentials,
    async createBucket() {
      const bucket = `eve-test-${process.pid}-${++buckets}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    async stop() {
      client.destroy();
      await stop();
    },
  };
}

/** Waits until the server answers HTTP at all (any status): it is listening. */
async function waitUntilAnswering(endpoint: string, failure: () => Error | undefined): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const failed = failure();
    if (failed !== undefined) throw failed;
    try {
      await fetch(endpoint);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`versitygw did not answer on ${endpoint} within 30 s`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
