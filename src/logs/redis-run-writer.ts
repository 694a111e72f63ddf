import type { Redis } from "ioredis";
import { encodeRecord, OFFSET_FIELD } from "./log-codec.js";
import type { LogRecord } from "./log-store.js";

/** Size and timing limits of one run's log (characters, not bytes). */
export interface RunLogLimits {
  /** The first this many characters of a log are always kept. */
  headChars: number;
  /** After the head, only the most recent this many characters are kept. */
  tailChars: number;
  /** A batch is written once it holds this much... */
  batchChars: number;
  /** ...or this long after its first record. */
  batchMs: number;
  /** append() asks the producer to wait while this much is not yet in Redis. */
  highWaterChars: number;
  /** Retention: the log expires this long after its last write. */
  ttlMs: number;
}

type Field = [string, string];

interface StepMark {
  text: string;
  resolve(length: number | undefined): void;
}

/**
 * Writes one run's log: coalesces small records into one XADD per batch,
 * keeps the head and a rolling tail (deleting the oldest tail entries), and
 * refreshes the expiry. Step marks for the run's step list go out in the same
 * pipeline as the batch. Batches are written one at a time, in order.
 */
export class RedisRunWriter {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #stepsKey: string;
  readonly #limits: RunLogLimits;
  readonly #onError: (error: unknown) => void;
  #pending: Field[] = [];
  #marks: StepMark[] = [];
  #pendingChars = 0;
  #unwrittenChars = 0;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #headChars = 0;
  #truncated = false;
  readonly #tail: { id: string; chars: number }[] = [];
  #tailChars = 0;
  #drained: (() => void)[] = [];

  /** `stepsKey`: the list of the run's step marks. */
  constructor(redis: Redis, key: string, stepsKey: string, limits: RunLogLimits, onError: (error: unknown) => void) {
    this.#redis = redis;
    this.#key = key;
    this.#stepsKey = stepsKey;
    this.#limits = limits;
    this.#onError = onError;
  }

  /**
   * Buffers a record; a promise while more than the high-water mark is
   * unwritten. `offset`: the record's byte offset in the whole log, written
   * at the start of each entry so that readers can place Redis' live part.
   */
  add(record: LogRecord, offset?: number): void | Promise<void> {
    if (record.kind === "text") {
      // Split huge chunks so that one entry never exceeds a batch.
      let at = offset;
      for (let i = 0; i < record.text.length; i += this.#limits.batchChars) {
        const piece = record.text.slice(i, i + this.#limits.batchChars);
        this.#addField(["t", piece], at);
        if (at !== undefined) at += Buffer.byteLength(piece);
      }
    } else this.#addField(encodeRecord(record), offset);
    if (this.#unwrittenChars <= this.#limits.highWaterChars) return undefined;
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /**
   * Appends a step mark to the run's step list with the next batch; resolves
   * with the list's length after it (undefined when the write failed).
   */
  mark(text: string): Promise<number | undefined> {
    const marked = new Promise<number | undefined>((resolve) => this.#marks.push({ text, resolve }));
    this.#timer ??= setTimeout(() => void this.flush(), this.#limits.batchMs);
    return marked;
  }

  /** Writes what is buffered; resolves once every batch so far is in Redis (or failed). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length > 0 || this.#marks.length > 0) {
      const fields = this.#pending;
      const chars = this.#pendingChars;
      const marks = this.#marks;
      this.#pending = [];
      this.#pendingChars = 0;
      this.#marks = [];
      this.#chain = this.#chain.then(() => this.#write(fields, chars, marks));
    }
    return this.#chain;
  }

  #addField(field: Field, offset: number | undefined): void {
    const chars = field[1].length;
    const last = this.#pending.at(-1);
    if (field[0] === "t" && last?.[0] === "t" && this.#pendingChars + chars <= this.#limits.batchChars) last[1] += field[1];
    else {
      if (this.#pendingChars + chars > this.#limits.batchChars) void this.flush();
      if (this.#pending.length === 0 && offset !== undefined) this.#pending.push([OFFSET_FIELD, String(offset)]);
      this.#pending.push(field);
    }
    this.#pendingChars += chars;
    this.#unwrittenChars += chars;
    if (this.#pendingChars >= this.#limits.batchChars) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#limits.batchMs);
  }

  async #write(fields: Field[], chars: number, marks: StepMark[]): Promise<void> {
    let marked: number | undefined;
    try {
      const pipeline = this.#redis.pipeline();
      if (marks.length > 0) pipeline.rpush(this.#stepsKey, ...marks.map((mark) => mark.text)).pexpire(this.#stepsKey, this.#limits.ttlMs);
      if (fields.length > 0) {
        const inHead = this.#headChars + chars <= this.#limits.headChars || fields.some(([name]) => name === "e");
        if (inHead && !this.#truncated) this.#headChars += chars;
        else if (!this.#truncated) {
          this.#truncated = true;
          const note = `log truncated: the first ${this.#limits.headChars} and the last ${this.#limits.tailChars} characters are kept`;
          pipeline.xadd(this.#key, "*", ...encodeRecord({ kind: "truncated", note }));
        }
        pipeline.xadd(this.#key, "*", ...fields.flat());
        pipeline.pexpire(this.#key, this.#limits.ttlMs);
      }
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
      if (marks.length > 0) marked = Number(results[0]?.[1]);
      if (this.#truncated && fields.length > 0) await this.#trimTail(String(results.at(-2)?.[1]), chars);
    } catch (error) {
      this.#onError(error);
    } finally {
      for (const mark of marks) mark.resolve(marked);
      this.#unwrittenChars -= chars;
      if (this.#unwrittenChars <= this.#limits.highWaterChars) for (const resolve of this.#drained.splice(0)) resolve();
    }
  }

  async #trimTail(id: string, chars: number): Promise<void> {
    this.#tail.push({ id, chars });
    this.#tailChars += chars;
    const drop: string[] = [];
    while (this.#tailChars > this.#limits.tailChars && this.#tail.length > 1) {
      const oldest = this.#tail.shift() as { id: string; chars: number };
      this.#tailChars -= oldest.chars;
      drop.push(oldest.id);
    }
    if (drop.length > 0) await this.#redis.xdel(this.#key, ...drop);
  }
}
