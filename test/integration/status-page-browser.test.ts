/**
 * The operator page in Chromium, on the numbers a real installation has: a
 * stage waiting in the docker queue (no docker worker), a stage running on
 * a BullMQ worker of the local queue, a worker process's heartbeat, a reaper
 * sweep, all in a real Redis, read through the runtime's metrics collection.
 * The page is refused without the token. Screenshot in test-output/screenshots/.
 */
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { createEveMetrics } from "../../src/ops/eve-metrics.js";
import { createStatusPageHandler } from "../../src/ops/status-page.js";
import { BuildHistory, runFields } from "../../src/queue/build-history.js";
import { getRunId, type StageJobData } from "../../src/queue/job-data.js";
import { createStageQueues, getQueueName, type StageQueues } from "../../src/queue/queues.js";
import { startWorkerHeartbeat } from "../../src/queue/worker-heartbeats.js";
import { GitHubWriteQueue } from "../../src/reporting/github-write-queue.js";
import { createRuntimeOps } from "../../src/runtime/create-runtime-ops.js";
import { startReaper } from "../../src/runtime/start-reaper.js";
import { launchChromium } from "../helpers/chromium.js";

const SCREENSHOTS = "test-output/screenshots";
const TOKEN = "operator-token";
const prefix = `test-${randomUUID()}`;
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
let redis: Redis;
let queues: StageQueues;
let server: Server;
let browser: Browser;
let base: string;
let worker: Worker | undefined;
let release: () => void = () => undefined;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  queues = createStageQueues(process.env.REDIS_URL ?? "", prefix);
  const { config } = loadConfig({ APP_ID: "42", PRIVATE_KEY: pem, WEBHOOK_SECRET: "s3cret", EVE_WORKER_TYPES: "local,docker", EVE_STATUS_TOKEN: TOKEN });
  if (!config) throw new Error("config");
  const metrics = createEveMetrics();
  const history = new BuildHistory({ redis, prefix, retentionSec: 600 });
  const ops = createRuntimeOps({ config, queues, metrics, provisioners: new Map(), history, writeQueue: new GitHubWriteQueue() });
  const reaper = startReaper({ instance: "test", sweepers: [], queues, intervalSec: 0, log: pino({ level: "silent" }), metrics });
  await reaper.sweep();
  stops.push(() => reaper.close());
  const heartbeat = startWorkerHeartbeat({ redis, prefix, process: "worker-a:101", capacity: { local: 4, docker: 2 }, intervalMs: 60_000, onError: () => undefined });
  stops.push(() => heartbeat.stop());
  const handler = createStatusPageHandler({ token: config.statusToken, metrics, collect: ops.collect, secure: false });
  server = createServer((req, res) => void handler(req, res).then((handled) => handled || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  release();
  await worker?.close();
  for (const stop of stops) await stop();
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await queues?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis?.disconnect();
});

function jobData(stage: string, workerType: string): StageJobData {
  const build = `b${randomUUID().replace(/-/g, "").slice(0, 15)}`;
  return {
    installationId: 1,
    repository: { owner: "scality", name: "ring", id: 7, private: false },
    sha: "0123456789abcdef0123456789abcdef01234567",
    branch: "main",
    buildFilePath: "eve/main.yml",
    stage: { build, stage, attempt: 1, run: getRunId(build, stage, 1, undefined) },
    workerType,
    parent: undefined,
    properties: {},
    forcedProperties: [],
    checkRunId: undefined,
    createdAt: Date.now(),
  };
}

describe("operator page in Chromium", () => {
  it("is refused without the token, then shows a queued stage under its worker type, a running stage and the worker process", async () => {
    const refused = await fetch(`${base}/status`);
    expect(refused.status).toBe(401);
    expect((await fetch(`${base}/status?token=wrong`)).status).toBe(401);

    const queued = jobData("docker-tests", "docker");
    await queues.queue("docker").add(queued.stage.stage, queued, { jobId: queued.stage.run });
    const running = jobData("local-build", "local");
    const started = new Promise<void>((resolve) => {
      worker = new Worker(
        getQueueName("local"),
        async () => {
          resolve();
          await new Promise<void>((done) => (release = done));
        },
        { connection: new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null }), prefix },
      );
    });
    await queues.queue("local").add(running.stage.stage, running, { jobId: running.stage.run });
    await started;
    const start = redis.multi();
    new BuildHistory({ redis, prefix, retentionSec: 600 }).addWrite(start, running.stage.build, runFields.started(running.stage, Date.now(), "worker-a:101"));
    await start.exec();

    const page = await browser.newPage({ viewport: { width: 390, height: 900 } });
    // Once with the token in the address: a cookie, and the token leaves the address bar.
    await page.goto(`${base}/status?token=${TOKEN}`);
    expect(new URL(page.url()).search).toBe("");
    expect(await page.locator("h1").textContent()).toBe("Eve status");
    expect(await page.locator('tr[data-worker-type="docker"] td[data-state="waiting"]').textContent()).toBe("1");
    expect(await page.locator('tr[data-worker-type="local"] td[data-state="running"]').textContent()).toBe("1");
    const runningRow = page.locator("table[aria-labelledby=running] tbody tr");
    expect(await runningRow.textContent()).toContain("local-build");
    expect(await runningRow.textContent()).toContain("worker-a:101");
    expect(await runningRow.locator("a").getAttribute("href")).toBe(`/logs/${running.stage.run}`);
    const processRow = page.locator("table[aria-labelledby=processes] tbody tr", { hasText: "worker-a:101" });
    expect(await processRow.textContent()).toContain("docker × 2");
    expect(await page.locator("main").textContent()).toMatch(/Last sweep \d+ (ms|s) ago: removed 0/);
    await page.screenshot({ path: `${SCREENSHOTS}/status-page-phone.png`, fullPage: true });
    await page.close();
  });
});
