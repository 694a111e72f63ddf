import { Readable } from "node:stream";
import { promisify } from "node:util";
import { brotliCompress, constants } from "node:zlib";
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import { segmentPath } from "./log-segments.js";

const brotliAsync = promisify(brotliCompress);

/** How one run's log is cut into stored segments. */
export interface ArchiveWriterLimits {
  /** A segment is cut once it holds this many bytes... */
  segmentBytes: number;
  /** ...or this long after its first byte, so a quiet step's output reaches the store too. */
  segmentMs: number;
  /** Segments compressed and stored at once (zlib runs on libuv's thread pool: one per core is plenty). */
  parallelSegments: number;
  /**
   * Brotli quality: 1 keeps as much of a log as gzip -1 does (~¼ of build
   * output) for half its CPU (~300 MB per CPU-second here, gzip -1 ~150).
   */
  brotliQuality: number;
}

/**
 * Writes one run's whole log to the store as Brotli segments: bytes are
 * gathered (no per-line work), cut into segments by size or age, compressed
 * off the event loop and stored a few at a time while the next one fills.
 * `write` returns a promise once a segment is full and every compressor is
 * busy, so a fast step waits for the store instead of growing Eve's memory. A segment that cannot be stored
 * after a few tries is reported; readers stop at the gap it leaves.
 */
export class ArchiveRunWriter {
  readonly #store: ArtifactStore;
  readonly #container: string;
  readonly #limits: ArchiveWriterLimits;
  readonly #onError: (error: unknown) => void;
  #parts: Buffer[] = [];
  #partBytes = 0;
  #start: number;
  #seq: number;
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  #waiting: (() => void)[] = [];

  /** `start`: the log's length already stored (a recovered attempt goes on from there); `seq`: the next segment number. */
  constructor(store: ArtifactStore, container: string, start: number, seq: number, limits: ArchiveWriterLimits, onError: (error: unknown) => void) {
    this.#store = store;
    this.#container = container;
    this.#start = start;
    this.#seq = seq;
    this.#limits = limits;
    this.#onError = onError;
  }

  /** Bytes written so far (stored or not): the offset of the next byte. */
  get offset(): number {
    return this.#start + this.#partBytes;
  }

  write(bytes: Buffer): void | Promise<void> {
    if (bytes.length === 0) return undefined;
    this.#parts.push(bytes);
    this.#partBytes += bytes.length;
    if (this.#partBytes < this.#limits.segmentBytes) {
      this.#timer ??= setTimeout(() => this.#cut(), this.#limits.segmentMs);
      return undefined;
    }
    if (this.#inFlight.size < this.#limits.parallelSegments) {
      this.#cut();
      return undefined;
    }
    // Full, and every compressor busy: the producer waits for a free one (the segment is cut then).
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Stores what is gathered; resolves once every segment so far is stored (or given up). */
  async flush(): Promise<void> {
    this.#cut();
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #cut(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#partBytes === 0) return;
    const bytes = this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts, this.#partBytes);
    const path = segmentPath(this.#seq++, this.#start, bytes.length);
    this.#start += bytes.length;
    this.#parts = [];
    this.#partBytes = 0;
    const stored = this.#storeSegment(path, bytes).finally(() => {
      this.#inFlight.delete(stored);
      if (this.#partBytes >= this.#limits.segmentBytes) this.#cut();
      for (const resolve of this.#waiting.splice(0)) resolve();
    });
    this.#inFlight.add(stored);
  }

  async #storeSegment(path: string, bytes: Buffer): Promise<void> {
    try {
      // One output buffer the size of the input: zlib's default 16 KiB chunks cost a callback and a copy each.
      const compressed = await brotliAsync(bytes, { chunkSize: Math.max(64 * 1024, bytes.length), params: { [constants.BROTLI_PARAM_QUALITY]: this.#limits.brotliQuality, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#store.putFile(this.#container, path, Readable.from([compressed]));
          return;
        } catch (error) {
          if (attempt >= STORE_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** (attempt - 1)));
        }
      }
    } catch (error) {
      this.#onError(error);
    }
  }
}

/** Tries per segment (0.2 s, then 0.8 s apart) before it is given up. */
const STORE_ATTEMPTS = 3;
