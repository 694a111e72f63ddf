import { Readable } from "node:stream";
import { promisify } from "node:util";
import { brotliCompress, brotliCompressSync, constants } from "node:zlib";
import { ArtifactExistsError } from "../artifacts/artifact-errors.js";
import type { ArtifactStore, ContainerFile, NewContainer } from "../artifacts/artifact-store.js";
import { MANIFEST_PATH, type LogManifest } from "./log-manifest.js";
import { contiguousSegments, segmentPath, segmentsEnd, type LogSegment } from "./log-segments.js";

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
   * Brotli quality: 0 keeps about as much of a log as gzip -1 does (within
   * ±9% on `seq`, `ls -laR` and `git log -p` output) for a third to half its
   * CPU (0.8–2.4 ms per MiB here, gzip -1 2.3–4.6); 1 keeps 8–18% less for
   * ~1.5× the CPU of 0, and Brotli was ~40% of the stage process's CPU on a
   * fast log.
   */
  brotliQuality: number;
}

/** Where a writer goes on from: what earlier writers of the run's log left in the store. */
export interface ArchiveWriterStart {
  /** The container exists (an earlier writer made it): no need to make it. */
  exists: boolean;
  /** The segments already stored (a lost attempt's may leave gaps): the log goes on after the contiguous ones. */
  segments: LogSegment[];
  /** Metadata of the container, should this writer be the one to make it (retention counts from then). */
  newContainer: () => NewContainer;
}

/** What the manifest says besides the segments, which the writer knows. */
export type ManifestFields = Omit<LogManifest, "version" | "segments" | "bytes">;

/**
 * Writes one run's whole log to the store as Brotli segments: bytes are
 * gathered in the segment's own buffer (no per-line work, no copy per write
 * of text), cut into segments by size or age, compressed
 * off the event loop and stored a few at a time while the next one fills.
 * `write` returns a promise once a segment is full and every compressor is
 * busy, so a fast step waits for the store instead of growing Eve's memory. A segment that cannot be stored
 * after a few tries is reported; readers stop at the gap it leaves.
 *
 * The container is made by the first store, with that store's files in it: a
 * short log (the common case) is one container made whole with its only
 * segment and its manifest, a handful of file system calls.
 */
export class ArchiveRunWriter {
  readonly #store: ArtifactStore;
  readonly #container: string;
  readonly #limits: ArchiveWriterLimits;
  readonly #onError: (error: unknown) => void;
  readonly #newContainer: () => NewContainer;
  /** Every segment known to be stored: an earlier writer's, then this one's. */
  readonly #segments: LogSegment[];
  /** Bytes of the log the store holds from its start (what a reader's lookup finds). */
  #storedBytes: number;
  /** Resolves to whether the container exists; undefined until it is known to or being made. */
  #containerMade: Promise<boolean> | undefined;
  /** The segment being filled: its first #partBytes bytes are the log's next ones. */
  #part: Buffer | undefined;
  #partBytes = 0;
  /** How big the next segment's buffer starts: small until the log has filled a segment. */
  #partCapacity = FIRST_PART_BYTES;
  #start: number;
  #seq: number;
  #timer: NodeJS.Timeout | undefined;
  /** Segments cut and not yet in the contiguous stored log (or, once broken, not yet stored or given up): their bytes stay readable (`textAt`). */
  readonly #held: { start: number; bytes: Buffer; done: boolean }[] = [];
  #broken = false;
  #onBroken: (() => void) | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  #waiting: (() => void)[] = [];

  constructor(store: ArtifactStore, container: string, start: ArchiveWriterStart, limits: ArchiveWriterLimits, onError: (error: unknown) => void) {
    this.#store = store;
    this.#container = container;
    this.#segments = [...start.segments];
    this.#start = segmentsEnd(contiguousSegments(start.segments));
    this.#storedBytes = this.#start;
    this.#seq = Math.max(0, ...start.segments.map((segment) => segment.seq)) + 1;
    this.#containerMade = start.exists ? Promise.resolve(true) : undefined;
    this.#newContainer = start.newContainer;
    this.#limits = limits;
    this.#onError = onError;
  }

  /** Bytes written so far (stored or not): the offset of the next byte. */
  get offset(): number {
    return this.#start + this.#partBytes;
  }

  /** Bytes of the log the store holds from its start, contiguous: a reader finds at least these there. */
  get storedBytes(): number {
    return this.#storedBytes;
  }

  /** True once a segment could not be stored: the store will not hold this log whole. */
  get broken(): boolean {
    return this.#broken;
  }

  /** `callback` runs once, as the first segment is given up, while every byte not stored is still held (`textAt`). */
  whenBroken(callback: () => void): void {
    this.#onBroken = callback;
  }

  /**
   * The text of bytes [start, end) of the log (whole records) while the
   * writer holds them, i.e. until the store holds them from the log's start
   * on; undefined after.
   */
  textAt(start: number, end: number): string | undefined {
    if (this.#part !== undefined && start >= this.#start && end <= this.#start + this.#partBytes) return this.#part.toString("utf8", start - this.#start, end - this.#start);
    const held = this.#held.find((segment) => segment.start <= start && end <= segment.start + segment.bytes.length);
    return held?.bytes.toString("utf8", start - held.start, end - held.start);
  }

  write(bytes: Buffer): void | Promise<void> {
    if (bytes.length === 0) return undefined;
    bytes.copy(this.#room(bytes.length), this.#partBytes);
    return this.#added(bytes.length);
  }

  /**
   * Writes `text`, whose UTF-8 form is `byteLength` bytes, encoding it
   * straight into the segment: no buffer of its own, no copy when the
   * segment is cut.
   */
  writeText(text: string, byteLength: number): void | Promise<void> {
    if (byteLength === 0) return undefined;
    this.#room(byteLength).write(text, this.#partBytes, "utf8");
    return this.#added(byteLength);
  }

  /** The segment buffer, with room for `bytes` more. */
  #room(bytes: number): Buffer {
    const needed = this.#partBytes + bytes;
    if (this.#part !== undefined && needed <= this.#part.length) return this.#part;
    const size = Math.max(needed, Math.min(this.#partCapacity, this.#limits.segmentBytes + PART_SLACK_BYTES), 2 * (this.#part?.length ?? 0));
    // A spare full-size buffer, else one not from Buffer's shared pool (a short log's would pin a slab).
    const spare = this.#partBytes === 0 && size === this.#limits.segmentBytes + PART_SLACK_BYTES ? takeSpare(size) : undefined;
    const part = spare ?? Buffer.allocUnsafeSlow(size);
    this.#part?.copy(part, 0, 0, this.#partBytes);
    this.#part = part;
    return part;
  }

  #added(bytes: number): void | Promise<void> {
    this.#partBytes += bytes;
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
    await this.#settle();
  }

  /**
   * Ends the log: the rest of it and the manifest (its index, which marks it
   * complete) are stored together, once every earlier segment is. Rejects
   * when they could not be stored: then the store does not hold the whole log.
   */
  async finish(fields: ManifestFields): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#settle();
    const last = this.#take();
    const files: ContainerFile[] = [];
    if (last !== undefined) files.push({ path: last.segment.path, body: await this.#compress(last.bytes), unique: true });
    const segments = contiguousSegments(last === undefined ? this.#segments : [...this.#segments, last.segment]);
    const manifest: LogManifest = { version: 1, bytes: segmentsEnd(segments), segments, ...fields };
    files.push({ path: MANIFEST_PATH, body: Buffer.from(JSON.stringify(manifest)), unique: true });
    await this.#storeRetrying(files);
    if (last !== undefined) this.#segments.push(last.segment);
    this.#storedBytes = manifest.bytes;
  }

  #cut(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const taken = this.#take();
    if (taken === undefined) return;
    const held = { start: taken.segment.start, bytes: taken.bytes, done: false };
    this.#held.push(held);
    const stored = this.#storeSegment(taken.segment, taken.bytes).finally(() => {
      held.done = true;
      this.#releaseHeld();
      this.#inFlight.delete(stored);
      if (this.#partBytes >= this.#limits.segmentBytes) this.#cut();
      for (const resolve of this.#waiting.splice(0)) resolve();
    });
    this.#inFlight.add(stored);
  }

  /** The gathered bytes as the next segment (undefined when there are none). */
  #take(): { segment: LogSegment; bytes: Buffer } | undefined {
    if (this.#partBytes === 0 || this.#part === undefined) return undefined;
    const bytes = this.#part.subarray(0, this.#partBytes);
    // A log that filled a segment likely fills the next: its buffer starts big enough.
    if (this.#partBytes >= this.#limits.segmentBytes) this.#partCapacity = this.#limits.segmentBytes + PART_SLACK_BYTES;
    const segment: LogSegment = { path: segmentPath(this.#seq, this.#start, bytes.length), seq: this.#seq, start: this.#start, bytes: bytes.length };
    this.#seq++;
    this.#start += bytes.length;
    this.#part = undefined;
    this.#partBytes = 0;
    return { segment, bytes };
  }

  async #settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  async #storeSegment(segment: LogSegment, bytes: Buffer): Promise<void> {
    try {
      await this.#storeRetrying([{ path: segment.path, body: await this.#compress(bytes), unique: true }]);
      this.#segments.push(segment);
      // Segments are stored a few at once: one may land before an earlier one.
      this.#storedBytes = segmentsEnd(contiguousSegments(this.#segments));
    } catch (error) {
      if (!this.#broken) {
        // Before anything held goes: whoever read text from it (Redis' writer) takes it now.
        this.#onBroken?.();
        this.#broken = true;
      }
      this.#onError(error);
    }
  }

  /** Lets go of segments the store holds from the log's start on (or, once broken, that are done), their buffers to the spares. */
  #releaseHeld(): void {
    for (let i = this.#held.length - 1; i >= 0; i--) {
      const held = this.#held[i] as { start: number; bytes: Buffer; done: boolean };
      if (!held.done || (!this.#broken && held.start + held.bytes.length > this.#storedBytes)) continue;
      this.#held.splice(i, 1);
      // Full-size ones only: the next segment, of any writer, fills it.
      if (held.bytes.buffer.byteLength === this.#limits.segmentBytes + PART_SLACK_BYTES) keepSpare(Buffer.from(held.bytes.buffer));
    }
  }

  async #compress(bytes: Buffer): Promise<Buffer> {
    // One output buffer that Brotli's worst case fits (BrotliEncoderMaxCompressedSize: n + 6 + 4·(n >> 14)):
    // zlib's default 16 KiB chunks cost a callback and a copy each. No larger: the stored body is a slice of
    // it and keeps all of it alive, and a fan-out's thousands of short logs would each pin 64 KiB until a
    // full GC (RSS +125 MB over 1,000 stages).
    const options = { chunkSize: bytes.length + 64 + (bytes.length >> 12), params: { [constants.BROTLI_PARAM_QUALITY]: this.#limits.brotliQuality, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } };
    // A short segment (a quiet step's, a short stage's) compresses in ~10 µs: handing it to the
    // thread pool costs this thread ~5–10 times that. Long ones stay off the event loop.
    if (bytes.length <= SYNC_COMPRESS_BYTES) return brotliCompressSync(bytes, options);
    // Build output compresses to a third or less: output chunks of a quarter of the segment (one or two;
    // more are joined into one buffer of the body's size), not one of the worst case per segment, whose
    // ~1 MiB each a fast log would leave to V8's next full collection.
    const body = await brotliAsync(bytes, { ...options, chunkSize: Math.max(MIN_ASYNC_CHUNK_BYTES, bytes.length >> 2) });
    // Kept (until stored) in a buffer of its own size: the output chunk is garbage at once.
    return body.length < body.buffer.byteLength / 2 ? Buffer.from(body) : body;
  }

  async #storeRetrying(files: ContainerFile[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#storeFiles(files);
        return;
      } catch (error) {
        if (attempt >= STORE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** (attempt - 1)));
      }
    }
  }

  /** Stores files in the container; the first store makes the container with them in it. */
  async #storeFiles(files: ContainerFile[]): Promise<void> {
    const made = this.#containerMade;
    if (made === undefined || !(await made)) {
      const making = this.#makeContainer(files);
      // Other segments wait on this; a failure means "not made", and the next store tries again.
      this.#containerMade = making.then(() => true, () => false);
      if (await making) return;
    }
    // In order: the manifest, last, never lists a segment that is not stored.
    for (const file of files) await this.#store.putFile(this.#container, file.path, Readable.from([file.body]), { unique: file.unique ?? false });
  }

  /** True when it made the container with `files`; false when the container was there already (files not stored). */
  async #makeContainer(files: ContainerFile[]): Promise<boolean> {
    try {
      await this.#store.createContainer(this.#container, this.#newContainer(), files);
      return true;
    } catch (error) {
      if (error instanceof ArtifactExistsError) return false;
      throw error;
    }
  }
}

/** Segments up to this size are compressed on the event loop (Brotli quality 1: ~0.1 ms at most). */
const SYNC_COMPRESS_BYTES = 32 * 1024;

/**
 * Full-size segment buffers whose segments are stored, for the next
 * segment of any writer: a fast log then leaves V8 no ~1 MiB of external
 * garbage per segment to collect (peak memory stays flat over a long log).
 */
const spares: Buffer[] = [];
const MAX_SPARES = 4;

function takeSpare(size: number): Buffer | undefined {
  const at = spares.findIndex((spare) => spare.length === size);
  return at === -1 ? undefined : spares.splice(at, 1)[0];
}

function keepSpare(part: Buffer): void {
  if (spares.length < MAX_SPARES) spares.push(part);
}

/** A new log's first segment buffer: a short log (most stages') needs no more. */
const FIRST_PART_BYTES = 16 * 1024;
/** Room past segmentBytes in a full-size segment buffer: the write that fills it most often fits. */
const PART_SLACK_BYTES = 256 * 1024;

/** zlib's default output chunk is 16 KiB: each costs a callback and a copy. */
const MIN_ASYNC_CHUNK_BYTES = 64 * 1024;

/** Tries per segment (0.2 s, then 0.8 s apart) before it is given up. */
const STORE_ATTEMPTS = 3;
