// One whole-log write in a fresh process, as a worker does it: Redis for the live part, the disk
// artifact store for the whole log (production defaults). argv: MODE ("engine" BYTES | "file" PATH:
// through Redis and the store | "store" PATH: through the store's writer alone),
// REDIS_URL in the environment. Prints JSON: peak RSS, time, the run's Redis memory, the stored bytes.
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { DiskArtifactStore } from "../dist/artifacts/disk-artifact-store.js";
import { keepHeapFlat } from "../dist/logs/keep-heap-flat.js";
import { KeptLogStore } from "../dist/logs/kept-log-store.js";
import { LogArchive } from "../dist/logs/log-archive.js";
import { RedisLogStore } from "../dist/logs/redis-log-store.js";
import { buildFileOf, printCommand, runBenchStage, silentObserver } from "./harness.js";

keepHeapFlat();
const [mode, arg] = process.argv.slice(2);
const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const dir = mkdtempSync(join(tmpdir(), "eve-bench-store-"));
// Nothing left behind, even when the run fails.
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const prefix = `bench-${process.pid}:`;
const errors = [];
const logs = new KeptLogStore({
  redis: new RedisLogStore(redis, { prefix, onError: (error) => errors.push(String(error)) }),
  archive: new LogArchive(await new DiskArtifactStore(dir).init(), { retentionMs: 3600_000, onError: (error) => errors.push(String(error)) }),
  maxBytes: 2 * 1024 ** 3,
});
const run = "rbench";
const usedBefore = await usedMemory();
let usedPeak = usedBefore;
const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
const sampler = setInterval(() => {
  void usedMemory().then((used) => (usedPeak = Math.max(usedPeak, used)));
  const memory = process.memoryUsage();
  for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], memory[key]);
}, 100);
const start = process.hrtime.bigint();
if (mode === "engine") {
  const observer = { ...silentObserver, stepStarted: (_stage, index, name) => logs.appendStep(run, index, name), output: (_stage, text) => logs.append(run, text) };
  await runBenchStage(buildFileOf([["ShellCommand", { name: "print", command: printCommand(Number(arg)) }]]), observer, ["a-secret-value-not-in-the-output"]);
} else if (mode === "store") {
  const writer = await logs.archive.openWriter(run);
  for await (const chunk of createReadStream(arg, { highWaterMark: 64 * 1024 })) await writer.write(chunk);
  await logs.archive.finalise(writer, { steps: [], droppedBytes: 0, end: { result: "success", summary: "" } });
} else {
  for await (const chunk of createReadStream(arg, { encoding: "utf8", highWaterMark: 64 * 1024 })) await logs.append(run, chunk);
}
if (mode !== "store") await logs.finish(run, { result: "success", summary: "" });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
clearInterval(sampler);
const stream = Number((await redis.memory("USAGE", `${prefix}${run}`)) ?? 0);
const stored = (await logs.archive.lookup(run)).bytes;
await redis.del(`${prefix}${run}`, `${prefix}${run}#steps`);
redis.disconnect();
const usage = process.resourceUsage();
process.stdout.write(JSON.stringify({ maxRss: usage.maxRSS * 1024, ms, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, peak, redisStream: stream, redisPeakGrowth: usedPeak - usedBefore, stored, errors }));

async function usedMemory() {
  return Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0);
}
