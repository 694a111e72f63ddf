import type { ChainableCommander, Redis } from "ioredis";
import { DeferredOutput, type KeptRecord } from "./deferred-output.js";
import { encodeRecord, OFFSET_FIELD } from "./log-codec.js";
import type { LogRecord } from "./log-store.js";
import type { RunLogLimits } from "./run-log-limits.js";

type Field = [string, string];

interface StepMark {
  text: string;
  resolve(length: number | undefined): void;
}

/** A pipeline's replies: each command's error or reply, in order. */
export type PipelineReplies = [error: Error | null, reply: unknown][];

/**
 * Writes one run's log: coalesces small records into one XADD per batch,
 * keeps the head and a rolling tail (deleting the oldest tail entries), and
 * keeps the keys from expiring while it writes (with its first batch, then
 * once half the expiry has passed: not with every batch). Past the head of a log the store keeps whole, fast
 * output waits up to liveMs and goes to Redis only if the store does not
 * hold it by then (DeferredOutput): Redis need only cover what readers
 * cannot read from the store (LogReader), plus a live view that shows where it skipped (the
 * entries' offsets). The middle of a long log is thus not sent only to be
 * trimmed. Step marks for the run's step list go out with the
 * batch. A batch that is not full waits for the store's next shared pipeline
 * (`schedule`: every run's batches due within batchMs go out in one round
 * trip); a full one, and a flush, go out at once. Batches are sent in order
 * on one connection, and their replies handled in order.
 */
export class RedisRunWriter {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #stepsKey: string;
  readonly #limits: RunLogLimits;
  readonly #onError: (error: unknown) => void;
  readonly #schedule: (writer: RedisRunWriter) => void;
  #scheduled = false;
  #pending: Field[] = [];
  #marks: StepMark[] = [];
  #pendingChars = 0;
  #unwrittenChars = 0;
  #chain: Promise<void> = Promise.resolve();
  #headChars = 0;
  #truncated = false;
  readonly #tail: { id: string; chars: number }[] = [];
  #tailChars = 0;
  /** Tail entries to delete, known from earlier replies: they go with the next batch rather than in a round trip of their own. */
  #drop: string[] = [];
  #drained: (() => void)[] = [];
  /** Characters of every record added so far: past headChars, kept records may be deferred. */
  #addedChars = 0;
  readonly #deferred: DeferredOutput;
  /** Some output past the head was left out: the batches after it are the tail, the first with the truncation note. */
  #skipped = false;
  /** Text was left out since the last record added: the next one starts an entry, with its own offset. */
  #gap = false;
  /** When this writer last sent each key's expiry (Date.now()); unset until its first batch, and after a failed one. */
  readonly #expirySentAt = new Map<string, number>();

  /**
   * `stepsKey`: the list of the run's step marks. `schedule`: asks the store
   * to call `addBatchTo` with its next shared pipeline, within batchMs.
   */
  constructor(redis: Redis, key: string, stepsKey: string, limits: RunLogLimits, onError: (error: unknown) => void, schedule: (writer: RedisRunWriter) => void) {
    this.#redis = redis;
    this.#key = key;
    this.#stepsKey = stepsKey;
    this.#limits = limits;
    this.#onError = onError;
    this.#schedule = schedule;
    this.#deferred = new DeferredOutput(
      limits,
      () => {
        this.#gap = true;
      },
      (record, offset) => this.#addNow(record, offset),
    );
  }

  /**
   * Buffers a record; a promise while more than the high-water mark is
   * unwritten. `offset`: the record's byte offset in the whole log, written
   * at the start of each entry so that readers can place Redis' live part.
   * `kept`: the store keeps the record too, so past the head it may be left
   * out of Redis once the store holds it.
   */
  add(record: LogRecord, offset?: number, kept?: KeptRecord): void | Promise<void> {
    const chars = record.kind === "text" ? record.text.length : 0;
    this.#addedChars += chars;
    if (offset !== undefined && kept !== undefined && (this.#deferred.waiting || this.#addedChars > this.#limits.headChars)) {
      this.#deferred.add(record, offset, kept, chars);
      return this.#pressure();
    }
    // After what waits, in order.
    this.#deferred.release();
    this.#addNow(record, offset);
    return this.#pressure();
  }

  /** True while some output waits to see whether the store holds it. */
  get defers(): boolean {
    return this.#deferred.waiting;
  }

  #addNow(record: LogRecord, offset: number | undefined): void {
    if (this.#gap && offset !== undefined) {
      // What came before the gap goes as it would have; what comes after is Redis' tail.
      this.#gap = false;
      void this.#send();
      this.#skipped = true;
    }
    if (record.kind === "text") {
      // Split huge chunks so that one entry never exceeds a batch.
      let at = offset;
      for (let i = 0; i < record.text.length; i += this.#limits.batchChars) {
        const piece = record.text.slice(i, i + this.#limits.batchChars);
        this.#addField(["t", piece], at);
        if (at !== undefined) at += Buffer.byteLength(piece);
      }
    } else this.#addField(encodeRecord(record), offset);
  }

  #pressure(): void | Promise<void> {
    if (this.#unwrittenChars <= this.#limits.highWaterChars) return undefined;
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Sends what is deferred now (the store that held its text cannot keep it). */
  undefer(): void {
    this.#deferred.release();
  }

  /**
   * Appends a step mark to the run's step list with the next batch; resolves
   * with the list's length after it (undefined when the write failed).
   */
  mark(text: string): Promise<number | undefined> {
    const marked = new Promise<number | undefined>((resolve) => this.#marks.push({ text, resolve }));
    this.#scheduleBatch();
    return marked;
  }

  /** Writes what is buffered now, in a pipeline of its own; resolves once every batch so far is in Redis (or failed). */
  flush(): Promise<void> {
    this.#deferred.release();
    return this.#send();
  }

  /** Writes the buffered batch now, in a pipeline of its own; resolves once every batch so far is in Redis (or failed). */
  #send(): Promise<void> {
    if (this.#pending.length > 0 || this.#marks.length > 0) {
      const pipeline = this.#redis.pipeline();
      let settle: (replies: Promise<PipelineReplies>) => void = () => undefined;
      const replies = new Promise<PipelineReplies>((resolve) => (settle = resolve));
      // Handled when this batch's turn comes (after the run's earlier ones): not unhandled meanwhile.
      replies.catch(() => undefined);
      this.addBatchTo(pipeline, replies);
      settle(pipeline.exec().then((all) => all ?? []));
    }
    return this.#chain;
  }

  /** Adds the buffered batch's commands to `pipeline`; `replies` settles with the pipeline's once it is executed. */
  addBatchTo(pipeline: ChainableCommander, replies: Promise<PipelineReplies>): void {
    this.#scheduled = false;
    if (this.#pending.length === 0 && this.#marks.length === 0) return;
    const fields = this.#pending;
    const chars = this.#pendingChars;
    const marks = this.#marks;
    this.#pending = [];
    this.#pendingChars = 0;
    this.#marks = [];
    const from = pipeline.length;
    const marksAt = from + (this.#drop.length > 0 ? 1 : 0);
    if (this.#drop.length > 0) pipeline.xdel(this.#key, ...this.#drop.splice(0));
    if (marks.length > 0) {
      pipeline.rpush(this.#stepsKey, ...marks.map((mark) => mark.text));
      this.#keepAlive(pipeline, this.#stepsKey);
    }
    let tailEntryAt: number | undefined;
    if (fields.length > 0) {
      const inHead = !this.#skipped && (this.#headChars + chars <= this.#limits.headChars || fields.some(([name]) => name === "e"));
      if (inHead && !this.#truncated) this.#headChars += chars;
      else if (!this.#truncated) {
        this.#truncated = true;
        const note = this.#skipped
          ? `live view: past the first ${this.#limits.headChars} characters, output already in the whole log is left out here`
          : `log truncated: the first ${this.#limits.headChars} and the last ${this.#limits.tailChars} characters are kept`;
        pipeline.xadd(this.#key, "*", ...encodeRecord({ kind: "truncated", note }));
      }
      // Past the head, the entry is the tail's newest: its id is needed to drop it later.
      if (this.#truncated) tailEntryAt = pipeline.length;
      pipeline.xadd(this.#key, "*", ...fields.flat());
      this.#keepAlive(pipeline, this.#key);
    }
    const to = pipeline.length;
    this.#chain = this.#chain.then(() => this.#written(replies, from, to, { marks, marksAt, chars, tailEntryAt }));
  }

  /**
   * Sets the key's expiry with this batch when it is due: one PEXPIRE per key
   * for a short run's log rather than one per batch, while a key written for
   * longer than half its expiry gets it again before it can lapse.
   */
  #keepAlive(pipeline: ChainableCommander, key: string): void {
    const now = Date.now();
    const sentAt = this.#expirySentAt.get(key);
    if (sentAt !== undefined && now - sentAt < this.#limits.ttlMs / 2) return;
    this.#expirySentAt.set(key, now);
    pipeline.pexpire(key, this.#limits.ttlMs);
  }

  #scheduleBatch(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(this);
  }

  #addField(field: Field, offset: number | undefined): void {
    const chars = field[1].length;
    const last = this.#pending.at(-1);
    if (field[0] === "t" && last?.[0] === "t" && this.#pendingChars + chars <= this.#limits.batchChars) last[1] += field[1];
    else {
      if (this.#pendingChars + chars > this.#limits.batchChars) void this.#send();
      if (this.#pending.length === 0 && offset !== undefined) this.#pending.push([OFFSET_FIELD, String(offset)]);
      this.#pending.push(field);
    }
    this.#pendingChars += chars;
    this.#unwrittenChars += chars;
    if (this.#pendingChars >= this.#limits.batchChars) void this.#send();
    else this.#scheduleBatch();
  }

  /** Handles a batch's replies (`from` to `to` in its pipeline's), in order with the run's other batches. */
  async #written(replies: Promise<PipelineReplies>, from: number, to: number, batch: { marks: StepMark[]; marksAt: number; chars: number; tailEntryAt: number | undefined }): Promise<void> {
    let marked: number | undefined;
    try {
      const all = await replies;
      const failed = all.slice(from, to).find(([error]) => error);
      if (failed) throw failed[0];
      if (batch.marks.length > 0) marked = Number(all[batch.marksAt]?.[1]);
      if (batch.tailEntryAt !== undefined) await this.#trimTail(String(all[batch.tailEntryAt]?.[1]), batch.chars);
    } catch (error) {
      // The expiry may not be set: the next batch sends it.
      this.#expirySentAt.clear();
      this.#onError(error);
    } finally {
      for (const mark of batch.marks) mark.resolve(marked);
      this.#unwrittenChars -= batch.chars;
      if (this.#unwrittenChars <= this.#limits.highWaterChars) for (const resolve of this.#drained.splice(0)) resolve();
    }
  }

  async #trimTail(id: string, chars: number): Promise<void> {
    this.#tail.push({ id, chars });
    this.#tailChars += chars;
    while (this.#tailChars > this.#limits.tailChars && this.#tail.length > 1) {
      const oldest = this.#tail.shift() as { id: string; chars: number };
      this.#tailChars -= oldest.chars;
      this.#drop.push(oldest.id);
    }
    // With what is buffered, if anything is (it goes out in a later batch); else now, so that a flush leaves the tail trimmed.
    if (this.#drop.length === 0 || this.#pending.length > 0 || this.#marks.length > 0) return;
    await this.#redis.xdel(this.#key, ...this.#drop.splice(0));
  }

}
