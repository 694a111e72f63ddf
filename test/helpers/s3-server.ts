/**
 * A real S3-compatible server for the S3 store's tests: versitygw (posix backend), built from source
 * by scripts/build-s3-server.sh (cached after the first build), on a free loopback port with a
 * temporary directory, stopped and removed by `stop()`.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

export interface S3TestServer {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Creates a bucket and returns its name. */
  createBucket(): Promise<string>;
  stop(): Promise<void>;
}

const BUILD_SCRIPT = join(import.meta.dirname, "../../scripts/build-s3-server.sh");

/** Builds (first time only: minutes) and returns the server binary's path. */
export async function buildS3Server(): Promise<string> {
  const { stdout } = await promisify(execFile)("bash", [BUILD_SCRIPT], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim().split("\n").at(-1) ?? "";
}

export async function startS3Server(): Promise<S3TestServer> {
  const binary = await buildS3Server();
  const dir = await mkdtemp(join(tmpdir(), "eve-test-s3-"));
  const port = await freePort();
  const credentials = { accessKeyId: "eve-test", secretAccessKey: "eve-test-secret-key" };
  const child = spawn(binary, ["--access", credentials.accessKeyId, "--secret", credentials.secretAccessKey, "--port", `127.0.0.1:${port}`, "--quiet", "posix", dir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(endpoint, () => child.exitCode !== null, () => stderr);
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
async function waitUntilAnswering(endpoint: string, hasExited: () => boolean, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (hasExited()) throw new Error(`versitygw exited at start-up: ${stderr()}`);
    try {
      await fetch(endpoint);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`versitygw did not answer on ${endpoint} within 30 s: ${stderr()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
