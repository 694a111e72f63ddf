import type { Redis } from "ioredis";
import { decodeFields } from "./log-codec.js";
import { LOG_START, type LogEnd, type LogEntry, type LogPage, type LogStore } from "./log-store.js";
import { RedisRunWriter, type RunLogLimits } from "./redis-run-writer.js";

export interface RedisLogStoreOptions extends Partial<RunLogLimits> {
  /** Key prefix; a run's log is the stream `<prefix><run>` (default "eve:log:"). */
  prefix?: string;
  /** Where write errors go (Redis down…): writing never throws into the engine. */
  onError?: (error: unknown) => void;
  /** How long one blocking read waits before checking for abort again (default 5 s). */
  blockMs?: number;
}

/**
 * Defaults: a log keeps its first 1 M characters and its last 4 M (≈ 5 MB of
 * Redis memory at most per run, whatever the output), batches writes for 20 ms
 * or 32 K characters, and expires 7 days after its last write.
 */
export const DEFAULT_LOG_LIMITS: RunLogLimits = {
  headChars: 1_000_000,
  tailChars: 4_000_000,
  batchChars: 32_768,
  batchMs: 20,
  highWaterChars: 1_000_000,
  ttlMs: 7 * 24 * 3600 * 1000,
};

/**
 * The LogStore on Redis Streams: one stream per run (XADD per batch), read
 * with XRANGE and followed live with XREAD BLOCK on a connection of its own
 * per follower (a blocking read holds its connection). Writes for one run
 * must come from one process — the worker running it.
 */
export class RedisLogStore implements LogStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #limits: RunLogLimits;
  readonly #onError: (error: unknown) => void;
  readonly #blockMs: number;
  readonly #writers = new Map<string, RedisRunWriter>();

  /** `redis`: a connection in RESP2 (ioredis' default); the store does not close it. */
  constructor(redis: Redis, options: RedisLogStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? "eve:log:";
    this.#onError = options.onError ?? (() => {});
    this.#blockMs = options.blockMs ?? 5000;
    const { prefix: _prefix, onError: _onError, blockMs: _blockMs, ...limits } = options;
    this.#limits = { ...DEFAULT_LOG_LIMITS, ...limits };
  }

  append(run: string, text: string): void | Promise<void> {
    if (text === "") return undefined;
    return this.#writer(run).add({ kind: "text", text });
  }

  appendStep(run: string, index: number, name: string): void {
    void this.#writer(run).add({ kind: "step", index, name });
  }

  appendInfo(run: string, line: string): void {
    void this.#writer(run).add({ kind: "info", line });
  }

  appendLink(run: string, name: string, url: string): void {
    void this.#writer(run).add({ kind: "link", name, url });
  }

  async finish(run: string, end: LogEnd): Promise<void> {
    const writer = this.#writer(run);
    void writer.add({ kind: "end", end });
    this.#writers.delete(run);
    await writer.flush();
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#writers.values()].map((writer) => writer.flush()));
  }

  async read(run: string, cursor: string = LOG_START, count = 1000): Promise<LogPage> {
    const key = this.#key(run);
    const raw = (await this.#redis.xrange(key, `(${cursor}`, "+", "COUNT", count)) as [string, string[]][];
    const entries = raw.map(([id, fields]) => ({ id, records: decodeFields(fields) }));
    const exists = entries.length > 0 || (await this.#redis.exists(key)) === 1;
    return { entries, cursor: entries.at(-1)?.id ?? cursor, exists };
  }

  async *follow(run: string, cursor: string, signal: AbortSignal): AsyncIterable<LogEntry> {
    const key = this.#key(run);
    const connection = this.#redis.duplicate();
    const abort = () => connection.disconnect();
    signal.addEventListener("abort", abort, { once: true });
    try {
      let after = cursor;
      while (!signal.aborted) {
        const reply = await connection.call("XREAD", "COUNT", 200, "BLOCK", this.#blockMs, "STREAMS", key, after);
        for (const [id, fields] of streamEntries(reply)) {
          const records = decodeFields(fields);
          after = id;
          yield { id, records };
          if (records.some((record) => record.kind === "end")) return;
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener("abort", abort);
      connection.disconnect();
    }
  }

  #key(run: string): string {
    return this.#prefix + run;
  }

  #writer(run: string): RedisRunWriter {
    let writer = this.#writers.get(run);
    if (!writer) {
      writer = new RedisRunWriter(this.#redis, this.#key(run), this.#limits, this.#onError);
      this.#writers.set(run, writer);
    }
    return writer;
  }
}

type StreamEntries = [id: string, fields: string[]][];

/** The entries of a one-stream XREAD reply: RESP2 `[[key, entries]]`, or RESP3's map as ioredis 6 flattens it, `[key, entries]`. */
function streamEntries(reply: unknown): StreamEntries {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const first: unknown = reply[0];
  return (typeof first === "string" ? reply[1] : (first as [string, StreamEntries])[1]) as StreamEntries;
}
