// (d) Whole logs in the store: a 1 GB log keeps Eve's memory flat and Redis' bounded, and log text is
// written through the store (Redis + Brotli segments on disk) at ≥ 100 MB/s, against `cat > file` of
// the same bytes as the floor. Each measurement runs in a fresh process. Needs redis-server.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ms } from "./harness.js";

const child = fileURLToPath(new URL("./log-store-child.js", import.meta.url));
const MB = 1024 * 1024;
/** The large log's size in MB (1024; smaller to try the bench out). */
const LARGE_MB = Number(process.env.EVE_BENCH_LOG_MB ?? 1024);

export async function benchLogStore() {
  const loadBefore = loadavg().map((load) => load.toFixed(1)).join(" ");
  const dir = mkdtempSync(join(tmpdir(), "eve-bench-logs-"));
  const redis = process.env.REDIS_URL ? { url: process.env.REDIS_URL, stop() {} } : await startRedis(dir);
  try {
    const measure = (...args) => JSON.parse(execFileSync(process.execPath, [child, ...args], { encoding: "utf8", env: { ...process.env, REDIS_URL: redis.url }, maxBuffer: MB }));
    // Eve's heap settles within the first tens of MB of a log (V8 sizes its old space to the allocation
    // rate): flat means no growth from 100 MB to 1 GB; 10 MB is shown for scale.
    const tiny = measure("engine", String(10 * MB));
    const small = measure("engine", String(100 * MB));
    const large = measure("engine", String(LARGE_MB * MB));

    // Log-like lines with a random token each (hashes, ids): Brotli -1 and gzip -1 keep ~24% of them, as of real build
    // output; a constant line would flatter the compressor. ~1 GB.
    const text = join(dir, "log.txt");
    const lines = Math.round((LARGE_MB / 1024) * 15_000_000);
    execFileSync("/bin/bash", ["-c", `paste -d' ' <(seq -f 'compiling src/module_%08.0f.c with -O2 -Wall ... ok' 1 ${lines}) <(head -c ${lines * 12} /dev/urandom | base64 -w 16 | head -n ${lines}) > ${text}`]);
    const bytes = statSync(text).size;
    const start = process.hrtime.bigint();
    execFileSync("/bin/sh", ["-c", `cat ${text} > ${join(dir, "copy.txt")}`]);
    const cat = ms(start);
    rmSync(join(dir, "copy.txt"));
    const store = measure("store", text);
    const both = measure("file", text);
    const rate = bytes / MB / (store.ms / 1000);
    const bothRate = bytes / MB / (both.ms / 1000);
    const growth = (large.maxRss - small.maxRss) / MB;
    const errors = [...tiny.errors, ...small.errors, ...large.errors, ...store.errors, ...both.errors];
    return {
      name: "(d) whole logs: Eve's and Redis' memory over a 1 GB log, write throughput through the store",
      lines: [
        `10 MB log through the engine:  peak RSS ${(tiny.maxRss / MB).toFixed(1)} MB (heap ${(tiny.peak.heapUsed / MB).toFixed(0)} MB)`,
        `100 MB log through the engine: peak RSS ${(small.maxRss / MB).toFixed(1)} MB (heap ${(small.peak.heapUsed / MB).toFixed(0)} MB); Redis: stream ${(small.redisStream / MB).toFixed(1)} MB, peak growth ${(small.redisPeakGrowth / MB).toFixed(1)} MB`,
        `${LARGE_MB} MB log through the engine:  peak RSS ${(large.maxRss / MB).toFixed(1)} MB (heap ${(large.peak.heapUsed / MB).toFixed(0)} MB, ${(LARGE_MB / (large.ms / 1000)).toFixed(0)} MB/s); Redis: stream ${(large.redisStream / MB).toFixed(1)} MB, peak growth ${(large.redisPeakGrowth / MB).toFixed(1)} MB; stored ${(large.stored / MB).toFixed(0)} MB`,
        `RSS growth 100 MB → ${LARGE_MB} MB: ${growth.toFixed(1)} MB (target: within 20 MB); Redis stream at ${LARGE_MB} MB: ${(large.redisStream / MB).toFixed(1)} MB (target: ≤ 16 MB)`,
        `${(bytes / MB).toFixed(0)} MB of log text: cat > file ${cat.toFixed(0)} ms (${(bytes / MB / (cat / 1000)).toFixed(0)} MB/s); through the store (Brotli segments on disk) ${store.ms.toFixed(0)} ms (${rate.toFixed(0)} MB/s, ${(store.cpuMs / 1000).toFixed(1)} CPU s)`,
        `through Redis and the store (KeptLogStore, as a worker writes): ${both.ms.toFixed(0)} ms (${bothRate.toFixed(0)} MB/s, ${(both.cpuMs / 1000).toFixed(1)} CPU s); Redis stream ${(both.redisStream / MB).toFixed(1)} MB`,
        `ratio store/cat: ${(store.ms / cat).toFixed(2)}; store throughput ${rate.toFixed(0)} MB/s (target ≥ 100 MB/s); load average before: ${loadBefore}${errors.length > 0 ? `; store errors: ${errors.join("; ")}` : ""}`,
      ],
      pass: growth <= 20 && large.redisStream <= 16 * MB && rate >= 100 && errors.length === 0 && large.stored >= LARGE_MB * MB,
    };
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startRedis(dir) {
  const port = await new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = server.address();
      server.close(() => resolve(free));
    });
  });
  const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir", dir], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    try {
      if (execFileSync("redis-cli", ["-p", String(port), "ping"], { stdio: ["ignore", "pipe", "ignore"] }).toString().includes("PONG")) break;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      redis.kill("SIGTERM");
      await new Promise((resolve) => redis.once("exit", resolve));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchLogStore();
  console.log([result.name, ...result.lines.map((l) => `  ${l}`)].join("\n"));
  process.exitCode = result.pass ? 0 : 1;
}
