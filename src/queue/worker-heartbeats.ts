/**
 * Each process that runs stages says it is alive, and with what capacity, in
 * one Redis hash (field: `host:pid`), every few seconds; readers (the metrics
 * scrape, hence the operator page) drop entries older than the time after
 * which a worker counts as lost. One HSET per process per interval.
 */
import type { Redis } from "ioredis";
import { hostname } from "node:os";

/** This process, as heartbeats and the build history name it. */
export const THIS_PROCESS = `${hostname()}:${process.pid}`;

export interface WorkerHeartbeat {
  process: string;
  /** Stages it runs at once, per worker type. */
  capacity: Record<string, number>;
  at: number;
}

const key = (prefix: string) => `${prefix}:worker-processes`;

export interface HeartbeatOptions {
  redis: Redis;
  prefix: string;
  process: string;
  capacity: Record<string, number>;
  intervalMs: number;
  onError(error: unknown): void;
}

/** Beats now and every `intervalMs`; `stop` removes the entry (a process that stops cleanly is gone at once). */
export function startWorkerHeartbeat(options: HeartbeatOptions): { stop(): Promise<void> } {
  const beat = () =>
    options.redis.hset(key(options.prefix), options.process, JSON.stringify({ capacity: options.capacity, at: Date.now() })).then(
      () => undefined,
      options.onError,
    );
  void beat();
  const timer = setInterval(() => void beat(), options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await options.redis.hdel(key(options.prefix), options.process).catch(options.onError);
    },
  };
}

/** Live worker processes; entries older than `maxAgeMs` are dropped from Redis as they are found. */
export async function readWorkerHeartbeats(redis: Redis, prefix: string, now: number, maxAgeMs: number): Promise<WorkerHeartbeat[]> {
  const entries = await redis.hgetall(key(prefix));
  const live: WorkerHeartbeat[] = [];
  const stale: string[] = [];
  for (const [process, value] of Object.entries(entries)) {
    const parsed = JSON.parse(value) as Omit<WorkerHeartbeat, "process">;
    if (now - parsed.at > maxAgeMs) stale.push(process);
    else live.push({ process, ...parsed });
  }
  if (stale.length > 0) await redis.hdel(key(prefix), ...stale);
  return live.sort((a, b) => a.process.localeCompare(b.process));
}
