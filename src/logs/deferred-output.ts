import type { LogRecord } from "./log-store.js";
import type { RunLogLimits } from "./run-log-limits.js";

/** What the whole-log store (KeptLogStore) tells the Redis writer about a record it keeps. */
export interface KeptRecord {
  /** The record's length in the whole log, bytes. */
  bytes: number;
  /** Bytes of the whole log the store holds from its start: readers read those from the store, not from Redis. */
  storedBytes: () => number;
  /** The text of bytes [start, end) of the whole log while the store holds them in memory (not stored yet). */
  textAt: (start: number, end: number) => string | undefined;
}

/** A record past the head that waits to see whether the store holds it before Redis would get it. */
interface Deferred {
  /** Undefined for text: the store holds it until it is stored (`KeptRecord.textAt`), so no string waits here. */
  record: LogRecord | undefined;
  offset: number;
  /** Its end's offset in the whole log. */
  end: number;
  chars: number;
}

/**
 * The output of one run past Redis' head that waits to see whether the
 * whole-log store holds it (RedisRunWriter): Redis need only cover what
 * readers cannot read from the store, so text the store holds is left out,
 * and so is text past the last tailChars (Redis would trim it as soon as
 * written). The rest goes on to Redis batchMs after it came when it comes
 * slowly, and liveMs after at the latest when it comes fast.
 */
export class DeferredOutput {
  readonly #limits: Pick<RunLogLimits, "tailChars" | "batchChars" | "batchMs" | "liveMs">;
  readonly #leftOut: () => void;
  readonly #send: (record: LogRecord, offset: number) => void;
  readonly #records: Deferred[] = [];
  #chars = 0;
  /** When the oldest record still deferred was deferred (the live view gets it liveMs after at the latest). */
  #since = 0;
  #timer: NodeJS.Timeout | undefined;
  #storedBytes: () => number = () => 0;
  #textAt: KeptRecord["textAt"] = () => undefined;

  /**
   * `leftOut`: text was left out here (the store holds it), so the writer's
   * next entry starts after a gap. `send`: a record goes on to Redis, in order.
   */
  constructor(limits: Pick<RunLogLimits, "tailChars" | "batchChars" | "batchMs" | "liveMs">, leftOut: () => void, send: (record: LogRecord, offset: number) => void) {
    this.#limits = limits;
    this.#leftOut = leftOut;
    this.#send = send;
  }

  /** True while some output waits to see whether the store holds it. */
  get waiting(): boolean {
    return this.#records.length > 0;
  }

  /** Defers `record` (`chars` characters of text, at byte `offset` of the whole log) that the store keeps too. */
  add(record: LogRecord, offset: number, kept: KeptRecord, chars: number): void {
    this.#storedBytes = kept.storedBytes;
    this.#textAt = kept.textAt;
    if (this.#records.length === 0) this.#since = Date.now();
    this.#records.push({ record: record.kind === "text" ? undefined : record, offset, end: offset + kept.bytes, chars });
    this.#chars += chars;
    this.#dropStored();
    // Past the last tailChars, text would be trimmed from Redis as soon as written: it is not written.
    for (let first = this.#records[0]; first !== undefined && first.record === undefined && this.#chars - first.chars >= this.#limits.tailChars; first = this.#records[0]) this.#leaveOut();
    this.#timer ??= setTimeout(() => this.#releaseDue(), this.#limits.batchMs);
  }

  /** What is deferred and not in the store goes to Redis (batched as ever), its text read from the store's memory. */
  release(): void {
    if (this.#records.length === 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dropStored();
    const records = this.#records.splice(0);
    this.#chars = 0;
    for (const { record, offset, end } of records) {
      const text = record === undefined ? this.#textAt(offset, end) : undefined;
      if (record !== undefined) this.#send(record, offset);
      else if (text !== undefined) this.#send({ kind: "text", text }, offset);
      // The store let go of it, so it holds it: left out as the stored are.
      else this.#leftOut();
    }
  }

  /** Leaves out the deferred text the store holds already, oldest first. */
  #dropStored(): void {
    const stored = this.#storedBytes();
    for (let first = this.#records[0]; first !== undefined && first.record === undefined && first.end <= stored; first = this.#records[0]) this.#leaveOut();
  }

  #leaveOut(): void {
    const first = this.#records.shift() as Deferred;
    this.#chars -= first.chars;
    this.#leftOut();
  }

  /** Slow output goes at batchMs as in the head; fast output liveMs after it was first deferred. */
  #releaseDue(): void {
    this.#timer = undefined;
    this.#dropStored();
    if (this.#records.length === 0) return;
    const wait = this.#since + this.#limits.liveMs - Date.now();
    if (this.#chars >= this.#limits.batchChars && wait > 0) this.#timer = setTimeout(() => this.#releaseDue(), Math.min(wait, this.#limits.batchMs));
    else this.release();
  }
}
