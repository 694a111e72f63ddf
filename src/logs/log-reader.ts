import type { LogArchive } from "./log-archive.js";
import type { LogStepMark } from "./log-manifest.js";
import type { LogSegment } from "./log-segments.js";
import { LOG_START, type LogEnd, type LogEntry } from "./log-store.js";
import { renderLogRecord } from "./log-text.js";
import type { RedisLogStore } from "./redis-log-store.js";

/** A run's log as the page and `/raw` see it. */
export type LogView =
  | { state: "missing" }
  | { state: "expired"; expiredAt: string }
  | {
      /** live: still being written (or its writer was lost); finished: it has its end line. */
      state: "live" | "finished";
      /** Length of the whole log so far, bytes. */
      bytes: number;
      steps: LogStepMark[];
      end: LogEnd | undefined;
      /** Output bytes not kept (past EVE_LOG_MAX_BYTES). */
      droppedBytes: number;
      /** The part in the store: bytes [0, storedBytes) are read from its segments, the rest from Redis. */
      segments: LogSegment[];
      storedBytes: number;
      /**
       * The id of the newest of Redis' entries the view was read with (undefined when the store's manifest was
       * enough): the view's text holds what comes before it, so following Redis from it misses nothing.
       */
      newestEntry: string | undefined;
    };

export type ReadableLogView = Extract<LogView, { bytes: number }>;

/**
 * Reads the whole text of a run's log from wherever it is: the store's
 * segments for what they hold (all of it once the run ended), Redis' live
 * entries for the rest, placed by the byte offset each entry carries. A
 * log written before Eve kept logs whole is Redis alone, placed from 0.
 */
export class LogReader {
  readonly #redis: RedisLogStore;
  readonly #archive: LogArchive | undefined;

  constructor(redis: RedisLogStore, archive: LogArchive | undefined) {
    this.#redis = redis;
    this.#archive = archive;
  }

  async view(run: string): Promise<LogView> {
    const stored = this.#archive ? await this.#archive.lookup(run) : ({ state: "missing" } as const);
    if (stored.state === "expired") return stored;
    if (stored.state === "stored" && stored.manifest) {
      const { manifest } = stored;
      return { state: "finished", bytes: manifest.bytes, steps: manifest.steps, end: manifest.end, droppedBytes: manifest.droppedBytes, segments: manifest.segments, storedBytes: manifest.bytes, newestEntry: undefined };
    }
    const newest = await this.#redis.readBackwards(run, undefined, 1);
    // Looked up again after Redis' entries were: past its head, Redis leaves out what the store held
    // when they were written, so the store now holds every part missing between them.
    const now = this.#archive ? await this.#archive.lookup(run) : stored;
    if (now.state === "expired" || (now.state === "stored" && now.manifest)) return this.view(run);
    const segments = now.state === "stored" ? now.segments : [];
    const storedBytes = now.state === "stored" ? now.bytes : 0;
    if (now.state !== "stored" && newest.length === 0) return { state: "missing" };
    const liveEnd = newest[0] === undefined ? 0 : await this.#endOf(run, newest[0]);
    const end = newest[0]?.records.find((record) => record.kind === "end");
    return {
      state: end?.kind === "end" ? "finished" : "live",
      bytes: Math.max(storedBytes, liveEnd),
      steps: await this.#redis.steps(run),
      end: end?.kind === "end" ? end.end : undefined,
      droppedBytes: 0,
      segments,
      storedBytes,
      newestEntry: newest[0]?.id,
    };
  }

  /** Bytes [start, end) of the log (end ≤ view.bytes). */
  async *read(run: string, view: ReadableLogView, start: number, end: number): AsyncIterable<Buffer> {
    if (start < view.storedBytes && this.#archive) yield* this.#archive.read(run, view.segments, start, Math.min(end, view.storedBytes));
    if (end > view.storedBytes) yield* this.#readLive(run, Math.max(start, view.storedBytes), end);
  }

  /** Redis' part: finds the newest entry at or before `start` (walking back), then reads forward. */
  async *#readLive(run: string, start: number, end: number): AsyncIterable<Buffer> {
    const back: LogEntry[] = [];
    let found: number | undefined;
    for (let before: string | undefined; found === undefined; ) {
      const page = await this.#redis.readBackwards(run, before, 100);
      if (page.length === 0) break;
      for (const entry of page) {
        back.push(entry);
        if (entry.offset !== undefined && entry.offset <= start) {
          found = entry.offset;
          break;
        }
      }
      before = page.at(-1)?.id;
    }
    // Without offsets (a log from before Eve kept logs whole), entries are placed from the first.
    let position = found ?? 0;
    const forward = found === undefined ? [] : back.reverse();
    let cursor = found === undefined ? LOG_START : (forward.at(-1)?.id ?? LOG_START);
    for (;;) {
      for (const entry of forward) {
        if (entry.offset !== undefined && found !== undefined) position = entry.offset;
        const bytes = Buffer.from(entry.records.map(renderLogRecord).join(""));
        const from = Math.max(0, start - position);
        const to = Math.min(bytes.length, end - position);
        position += bytes.length;
        if (to > from) yield bytes.subarray(from, to);
        if (position >= end) return;
      }
      const page = await this.#redis.read(run, cursor, 200);
      if (page.entries.length === 0) return;
      forward.splice(0, forward.length, ...page.entries);
      cursor = page.cursor;
    }
  }

  async #endOf(run: string, newest: LogEntry): Promise<number> {
    if (newest.offset !== undefined) return newest.offset + Buffer.byteLength(newest.records.map(renderLogRecord).join(""));
    // A log from before Eve kept offsets: its length is the sum of its entries.
    let bytes = 0;
    for await (const chunk of this.#readLive(run, 0, Number.MAX_SAFE_INTEGER)) bytes += chunk.length;
    return bytes;
  }
}
