import type { Redis } from "ioredis";
import { decodeEntry } from "./log-codec.js";
import type { LogStepMark } from "./log-manifest.js";
import { LOG_START, type LogEnd, type LogEntry, type LogPage, type LogRecord, type LogStore } from "./log-store.js";
import type { ChainableCommander } from "ioredis";
import type { KeptRecord } from "./deferred-output.js";
import { RedisRunWriter, type PipelineReplies } from "./redis-run-writer.js";
import type { RunLogLimits } from "./run-log-limits.js";

export interface RedisLogStoreOptions extends Partial<RunLogLimits> {
  /** Key prefix; a run's log is the stream `<prefix><run>` (default "eve:log:"). */
  prefix?: string;
  /** Where write errors go (Redis down…): writing never throws into the engine. */
  onError?: (error: unknown) => void;
  /** How long one blocking read waits before checking for abort again (default 5 s). */
  blockMs?: number;
}

export const LOST_LINE = "The worker process running this stage was lost (killed or cut off); Eve runs the stage again on a fresh workspace.";

/**
 * Defaults: a log keeps its first 1 M characters and its last 4 M (≈ 5 MB of
 * Redis memory at most per run, whatever the output), batches writes for 20 ms
 * or 32 K characters, and expires 7 days after its last write. Past the head,
 * fast output the store keeps whole reaches Redis within 1 s, unless the
 * store holds it by then (what Redis is sent is garbage V8 collects only in a
 * full collection: sent every 250 ms, a 1 GB log grew the stage process by
 * ~35 MB of it, every 1 s by ~10).
 */
export const DEFAULT_LOG_LIMITS: RunLogLimits = {
  headChars: 1_000_000,
  tailChars: 4_000_000,
  batchChars: 32_768,
  batchMs: 20,
  highWaterChars: 1_000_000,
  ttlMs: 7 * 24 * 3600 * 1000,
  liveMs: 1000,
};

/**
 * The LogStore on Redis Streams: one stream per run (XADD per batch), read
 * with XRANGE and followed live with XREAD BLOCK on a connection of its own
 * per follower (a blocking read holds its connection). Writes for one run
 * must come from one process — the worker running it. Batches of every run
 * due within batchMs go out in one pipeline: a fan-out's runs, or the stages
 * running at once, share round trips. A run's end and its expiry go out once
 * the event loop's turn is over (the check run's end waits for them), with
 * whatever else is due.
 */
export class RedisLogStore implements LogStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #limits: RunLogLimits;
  readonly #onError: (error: unknown) => void;
  readonly #blockMs: number;
  readonly #writers = new Map<string, RedisRunWriter>();
  /** What the next shared pipeline carries: runs' batches, and other commands with what to do once written. */
  readonly #due = new Set<RedisRunWriter>();
  #also: { add(pipeline: ChainableCommander): void; settle(replies: Promise<PipelineReplies>, from: number, to: number): void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #soon: Promise<void> | undefined;

  /** `redis`: a connection in RESP2 (ioredis' default); the store does not close it. */
  constructor(redis: Redis, options: RedisLogStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? "eve:log:";
    this.#onError = options.onError ?? (() => {});
    this.#blockMs = options.blockMs ?? 5000;
    const { prefix: _prefix, onError: _onError, blockMs: _blockMs, ...limits } = options;
    this.#limits = { ...DEFAULT_LOG_LIMITS, ...limits };
  }

  /**
   * Appends a record at `offset` bytes into the whole log (see KeptLogStore);
   * a promise while too much is unwritten. `kept`: the record is in the store
   * too (past the head, Redis gets only what the store does not hold soon).
   */
  add(run: string, record: Exclude<LogRecord, { kind: "end" }>, offset: number, kept?: KeptRecord): void | Promise<void> {
    return this.#writer(run).add(record, offset, kept);
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

  async appendLost(run: string): Promise<void> {
    this.appendInfo(run, LOST_LINE);
  }

  /** Sends the run's deferred output now (see `add`): the store that held its text will not store it. */
  undefer(run: string): void {
    this.#writers.get(run)?.undefer();
  }

  /** True while some of the run's output waits to see whether the store holds it (see `add`). */
  defers(run: string): boolean {
    return this.#writers.get(run)?.defers ?? false;
  }

  /** `offset`: where the end line starts in the whole log (see KeptLogStore). */
  async finish(run: string, end: LogEnd, whole?: () => void): Promise<void> {
    await this.finishAt(run, end, undefined);
    whole?.();
  }

  /** `finish`, the end record at `offset` in the whole log (KeptLogStore's; undefined: none). */
  async finishAt(run: string, end: LogEnd, offset: number | undefined): Promise<void> {
    const writer = this.#writer(run);
    void writer.add({ kind: "end", end }, offset);
    this.#writers.delete(run);
    // Once this turn of the event loop is over, not within batchMs: the check run's end waits for it. The
    // stages ending in the same turn share the pipeline.
    await this.#writeSoon();
    await writer.flush();
  }

  async appendQueued(run: string, line: string): Promise<void> {
    this.appendInfo(run, line);
    await this.release(run);
  }

  /** Writes what is buffered for one run and forgets it here: another process (the worker that runs the stage) writes on after it. */
  async release(run: string): Promise<void> {
    const writer = this.#writers.get(run);
    this.#writers.delete(run);
    if (!writer) return;
    await this.#writeSoon();
    await writer.flush();
  }

  async flush(): Promise<void> {
    this.#writeDue();
    await Promise.all([...this.#writers.values()].map((writer) => writer.flush()));
  }

  async read(run: string, cursor: string = LOG_START, count = 1000): Promise<LogPage> {
    const key = this.#key(run);
    const raw = (await this.#redis.xrange(key, `(${cursor}`, "+", "COUNT", count)) as [string, string[]][];
    const entries = raw.map(([id, fields]) => toEntry(id, fields));
    const exists = entries.length > 0 || (await this.#redis.exists(key)) === 1;
    return { entries, cursor: entries.at(-1)?.id ?? cursor, exists };
  }

  /** Up to `count` entries before the cursor `before` (default: the newest), newest first. */
  async readBackwards(run: string, before?: string, count = 100): Promise<LogEntry[]> {
    const raw = (await this.#redis.xrevrange(this.#key(run), before === undefined ? "+" : `(${before}`, "-", "COUNT", count)) as [string, string[]][];
    return raw.map(([id, fields]) => toEntry(id, fields));
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
          const entry = toEntry(id, fields);
          after = id;
          yield entry;
          if (entry.records.some((record) => record.kind === "end")) return;
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener("abort", abort);
      connection.disconnect();
    }
  }

  /**
   * The store holds the whole log now: Redis' copy is only kept a little
   * longer, for pages still following the run to its end line.
   */
  async expireSoon(run: string, ms: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#also.push({
        add: (pipeline) => pipeline.pexpire(this.#key(run), ms).pexpire(this.#stepsKey(run), ms),
        settle: (replies, from, to) =>
          replies.then((all) => {
            const failed = all.slice(from, to).find(([error]) => error);
            if (failed) reject(failed[0]);
            else resolve();
          }, reject),
      });
      // Soon, as finish: the run's check run ends once it is set.
      void this.#writeSoon();
    });
  }

  /**
   * Remembers where a step starts, for the page's step list while the run is
   * live (the store's manifest keeps it after): written with the run's next
   * batch; resolves with the list's length after it (undefined when the write failed).
   */
  markStep(run: string, mark: LogStepMark): Promise<number | undefined> {
    return this.#writer(run).mark(JSON.stringify(mark));
  }

  /** The steps marked so far, every attempt's, in order. */
  async steps(run: string): Promise<LogStepMark[]> {
    return (await this.#redis.lrange(this.#stepsKey(run), 0, -1)).map((mark) => JSON.parse(mark) as LogStepMark);
  }

  /**
   * Writes what is due once this turn of the event loop is over: the runs
   * released or finished in it (a fan-out's "Queued" lines) share one pipeline.
   */
  #writeSoon(): Promise<void> {
    this.#soon ??= new Promise((resolve) =>
      setImmediate(() => {
        this.#soon = undefined;
        this.#writeDue();
        resolve();
      }),
    );
    return this.#soon;
  }

  /** One pipeline with everything due: every run's batch, the expiries. */
  #writeDue(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pipeline = this.#redis.pipeline();
    let settle: (replies: Promise<PipelineReplies>) => void = () => undefined;
    const replies = new Promise<PipelineReplies>((resolve) => (settle = resolve));
    // Each batch handles a failure when its turn comes: none is unhandled meanwhile.
    replies.catch(() => undefined);
    for (const writer of this.#due) writer.addBatchTo(pipeline, replies);
    this.#due.clear();
    for (const also of this.#also.splice(0)) {
      const from = pipeline.length;
      also.add(pipeline);
      also.settle(replies, from, pipeline.length);
    }
    settle(pipeline.length === 0 ? Promise.resolve([]) : pipeline.exec().then((all) => all ?? []));
  }

  // '#' is not in run ids, so this key is no run's stream.
  #stepsKey(run: string): string {
    return `${this.#prefix}${run}#steps`;
  }

  #key(run: string): string {
    return this.#prefix + run;
  }

  #writer(run: string): RedisRunWriter {
    let writer = this.#writers.get(run);
    if (!writer) {
      writer = new RedisRunWriter(this.#redis, this.#key(run), this.#stepsKey(run), this.#limits, this.#onError, (due) => {
        this.#due.add(due);
        this.#timer ??= setTimeout(() => this.#writeDue(), this.#limits.batchMs);
      });
      this.#writers.set(run, writer);
    }
    return writer;
  }
}

function toEntry(id: string, fields: string[]): LogEntry {
  const { records, offset } = decodeEntry(fields);
  return offset === undefined ? { id, records } : { id, records, offset };
}

type StreamEntries = [id: string, fields: string[]][];

/** The entries of a one-stream XREAD reply: RESP2 `[[key, entries]]`, or RESP3's map as ioredis 6 flattens it, `[key, entries]`. */
function streamEntries(reply: unknown): StreamEntries {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const first: unknown = reply[0];
  return (typeof first === "string" ? reply[1] : (first as [string, StreamEntries])[1]) as StreamEntries;
}
