import { setImmediate } from "node:timers/promises";
import type { ArchiveRunWriter } from "./archive-run-writer.js";
import type { LogArchive } from "./log-archive.js";
import type { LogStepMark } from "./log-manifest.js";
import { LOG_START, type LogEnd, type LogEntry, type LogPage, type LogRecord, type LogStore } from "./log-store.js";
import { renderLogRecord } from "./log-text.js";
import { LOST_LINE, type RedisLogStore } from "./redis-log-store.js";

export interface KeptLogStoreOptions {
  /** The live part: Redis, bounded per run. */
  redis: RedisLogStore;
  /** The whole log: the artifact store. */
  archive: LogArchive;
  /** Bytes of a run's log kept whole (EVE_LOG_MAX_BYTES); output past it is counted and dropped. */
  maxBytes: number;
  onError?: (error: unknown) => void;
}

interface RunLog {
  /** Resolves once the store's writer is open (it resumes a lost attempt's log, so it must read first) and the records queued meanwhile are written. */
  ready: Promise<void>;
  opened: boolean;
  queued: number;
  writer: ArchiveRunWriter | undefined;
  /** Bytes of the whole log so far: the offset of the next record. */
  offset: number;
  droppedBytes: number;
  steps: LogStepMark[];
  /** The length of Redis' step list after this process's last mark: when it is `steps.length`, the list holds only these. */
  stepsInRedis: number | undefined;
  /** Bytes of the log the store holds from its start: Redis need not get them (past its head). */
  storedBytes: () => number;
  /** The text of bytes of the log the store's writer holds (until stored): Redis reads deferred text from it. */
  textAt: (start: number, end: number) => string | undefined;
}

/**
 * Every record goes to Redis (the live view, bounded as before; past its head
 * only what the store does not hold soon) and to the
 * artifact store (the whole log, up to `maxBytes`), rendered once as the
 * text `/raw` serves, with its byte offset in that text. Output past the
 * limit is dropped from both, and the log says so where it happened and at
 * its end. Writes are batched on both sides; `append` returns a promise
 * while either side has too much unwritten, which pauses the step's output.
 */
export class KeptLogStore implements LogStore {
  readonly redis: RedisLogStore;
  readonly archive: LogArchive;
  readonly #maxBytes: number;
  readonly #onError: (error: unknown) => void;
  readonly #runs = new Map<string, RunLog>();
  /** Queued lines on their way to Redis (appendQueued): a run started here meanwhile reads its log's start after them. */
  readonly #queuing = new Map<string, Promise<void>>();

  constructor(options: KeptLogStoreOptions) {
    this.redis = options.redis;
    this.archive = options.archive;
    this.#maxBytes = options.maxBytes;
    this.#onError = options.onError ?? (() => {});
  }

  append(run: string, text: string): void | Promise<void> {
    if (text === "") return undefined;
    return this.#put(run, { kind: "text", text });
  }

  appendStep(run: string, index: number, name: string): void {
    void this.#put(run, { kind: "step", index, name });
  }

  appendInfo(run: string, line: string): void {
    void this.#put(run, { kind: "info", line });
  }

  appendLink(run: string, name: string, url: string): void {
    void this.#put(run, { kind: "link", name, url });
  }

  async appendLost(run: string): Promise<void> {
    const log = this.#run(run);
    if (!log.opened || log.queued > 0) await log.ready;
    const kept = log.writer ? `its log is kept up to here (${log.offset} bytes); what it printed after that was lost` : "its log could not be read back from the store";
    this.appendInfo(run, `── ${LOST_LINE.replace(/;.*/, "")}: ${kept}. Eve runs the stage again on a fresh workspace. ──`);
  }

  async finish(run: string, end: LogEnd, whole?: () => void): Promise<void> {
    const log = this.#run(run);
    if (!log.opened || log.queued > 0) await log.ready;
    this.#runs.delete(run);
    if (log.droppedBytes > 0) this.#write(run, log, { kind: "info", line: `── ${limitNote(this.#maxBytes)}: ${log.droppedBytes} bytes of output after it were not kept ──` });
    const endOffset = log.offset;
    const endBytes = Buffer.from(renderLogRecord({ kind: "end", end }));
    log.offset += endBytes.length;
    if (log.writer) {
      void log.writer.write(endBytes);
      // Past Redis' head, the store first: Redis then gets only what the store failed to hold, and the
      // end. (A short log is stored with its manifest, in one go.)
      if (this.redis.defers(run)) await log.writer.flush();
    }
    // A reader sees every line once Redis has the end (what it defers to the store was flushed first), so
    // the check run can say the stage ended while the store finalises the log (~2 ms of a short stage's end).
    const readable = this.redis.finishAt(run, end, endOffset).then(() => whole?.());
    if (log.writer) {
      try {
        await readable;
        // The end's writes go out first: a short log's container is made with synchronous calls
        // (disk-artifact-store.ts), which would otherwise hold the completed check run back.
        await setImmediate();
        // Its batches carried the step marks: a list of ours only needs no read back (one of a lost attempt's does).
        const ours = log.steps.length > 0 && log.stepsInRedis === log.steps.length;
        const steps = ours ? log.steps : await this.redis.steps(run).catch(() => log.steps);
        await this.archive.finalise(log.writer, { steps, droppedBytes: log.droppedBytes, end });
        // Only once the store holds the whole log (else Redis' copy is all there is); not awaited: one more
        // round trip the run's end need not wait for.
        this.redis.expireSoon(run, REDIS_AFTER_FINISH_MS).catch(this.#onError);
      } catch (error) {
        this.#onError(error);
      }
    }
    await readable;
  }

  read(run: string, cursor?: string, count?: number): Promise<LogPage> {
    return this.redis.read(run, cursor, count);
  }

  follow(run: string, cursor: string, signal: AbortSignal): AsyncIterable<LogEntry> {
    return this.redis.follow(run, cursor, signal);
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#runs.values()].map(async (log) => {
      if (!log.opened || log.queued > 0) await log.ready;
      await log.writer?.flush();
    }));
    await this.redis.flush();
  }

  /**
   * To Redis only: the store gets the line from whoever runs the stage, as
   * its log's start (#copyRedisStart). A trigger's queued stages cost the
   * store nothing until they start (a container each had flooded the
   * thread pool the starting stages wait on).
   */
  async appendQueued(run: string, line: string): Promise<void> {
    // Not a new log (never so from the reporter): it goes on where it is.
    if (this.#runs.has(run)) return this.appendInfo(run, line);
    void this.redis.add(run, { kind: "info", line }, 0);
    const written = this.redis.release(run);
    const settled = written.catch(() => undefined);
    this.#queuing.set(run, settled);
    try {
      await written;
    } finally {
      if (this.#queuing.get(run) === settled) this.#queuing.delete(run);
    }
  }

  #run(run: string): RunLog {
    let log = this.#runs.get(run);
    if (!log) {
      const created: RunLog = { ready: Promise.resolve(), opened: false, queued: 0, writer: undefined, offset: 0, droppedBytes: 0, steps: [], stepsInRedis: undefined, storedBytes: () => created.writer?.storedBytes ?? 0, textAt: (start, end) => created.writer?.textAt(start, end) };
      const queued = this.#queuing.get(run) ?? Promise.resolve();
      created.ready = queued.then(() => this.archive.openWriter(run)).then(
        async (writer) => {
          created.writer = writer;
          // A segment given up: Redis takes what it deferred at once, and everything after (the store will not hold the log whole).
          writer.whenBroken(() => this.redis.undefer(run));
          if (writer.offset === 0) await this.#copyRedisStart(run, created, writer).catch(this.#onError);
          created.offset = writer.offset;
        },
        (error: unknown) => this.#onError(error),
      ).finally(() => {
        created.opened = true;
      });
      this.#runs.set(run, created);
      log = created;
    }
    return log;
  }

  /**
   * What Redis holds from the log's start while the store holds none of it:
   * the Queued line (appendQueued), and what a lost attempt wrote before its
   * first store. The store gets it first, so that both hold the same bytes
   * at the same offsets; it stops at a gap (past Redis' head).
   */
  async #copyRedisStart(run: string, log: RunLog, writer: ArchiveRunWriter): Promise<void> {
    for (let cursor = LOG_START; ; ) {
      const page = await this.redis.read(run, cursor, START_PAGE_ENTRIES);
      for (const entry of page.entries) {
        if (entry.offset !== writer.offset) return;
        for (const record of entry.records) {
          if (record.kind === "end") return;
          if (record.kind === "step") log.steps.push({ index: record.index, name: record.name, offset: writer.offset });
          const text = renderLogRecord(record);
          void writer.writeText(text, Buffer.byteLength(text));
        }
      }
      // A page not full is all there is (nothing of this process's is written before the copy ends): a
      // stage's start costs one read, not a second that finds nothing.
      if (page.entries.length < START_PAGE_ENTRIES) return;
      cursor = page.cursor;
    }
  }

  /** Records wait (in order) for the writer to open: the offset of the first depends on what a lost attempt left. */
  #put(run: string, record: Exclude<LogRecord, { kind: "end" }>): void | Promise<void> {
    const log = this.#run(run);
    if (log.opened && log.queued === 0) return this.#write(run, log, record);
    log.queued++;
    let pressure: void | Promise<void>;
    log.ready = log.ready.then(() => {
      log.queued--;
      pressure = this.#write(run, log, record);
    });
    return log.ready.then(() => pressure);
  }

  #write(run: string, log: RunLog, record: Exclude<LogRecord, { kind: "end" }>): void | Promise<void> {
    let text = renderLogRecord(record);
    // Its UTF-8 length only: the store's writer encodes the text straight into its segment.
    let length = Buffer.byteLength(text);
    let kept = record;
    if (record.kind === "text" && log.offset + length > this.#maxBytes) {
      const room = Math.max(0, this.#maxBytes - log.offset);
      if (log.droppedBytes === 0) {
        text = `${Buffer.from(text).subarray(0, room).toString("utf8")}\n── ${limitNote(this.#maxBytes)}: the rest of the output is not kept, only the end of the stage ──\n`;
        kept = { kind: "text", text };
        length = Buffer.byteLength(text);
      } else length = 0;
      log.droppedBytes += Buffer.byteLength(record.text) - room;
      if (length === 0) return undefined;
    }
    const offset = log.offset;
    log.offset += length;
    if (record.kind === "step") {
      const mark = { index: record.index, name: record.name, offset };
      log.steps.push(mark);
      void this.redis.markStep(run, mark).then((count) => {
        log.stepsInRedis = count;
      });
    }
    // Without a writer (or with one that gave a segment up) the store does not keep it all: Redis must have it all (head and tail).
    const live = this.redis.add(run, kept, offset, log.writer && !log.writer.broken ? { bytes: length, storedBytes: log.storedBytes, textAt: log.textAt } : undefined);
    const whole = log.writer?.writeText(text, length);
    if (live === undefined && whole === undefined) return undefined;
    return Promise.all([live, whole]).then(() => undefined);
  }
}

/** How long Redis keeps a run's live part once the store holds the whole log (pages following it read to its end). */
const REDIS_AFTER_FINISH_MS = 3600_000;

/** Entries read at a time when the store takes over a log Redis started (#copyRedisStart). */
const START_PAGE_ENTRIES = 1000;

function limitNote(maxBytes: number): string {
  return `log limit reached: Eve keeps the first ${maxBytes} bytes of a stage's log (EVE_LOG_MAX_BYTES)`;
}
