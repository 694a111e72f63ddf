import type { ArtifactStore, ContainerFile, NewContainer } from "../artifacts/artifact-store.js";
import { compressSegment } from "./compress-segment.js";
import { LogContainerFiles } from "./log-container-files.js";
import { MANIFEST_PATH, type LogManifest } from "./log-manifest.js";
import { contiguousSegments, segmentPath, segmentsEnd, type LogSegment } from "./log-segments.js";
import { keepSpareBuffer, takeSpareBuffer } from "./segment-buffer-spares.js";

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
 * after a few tries (`LogContainerFiles`) is reported; readers stop at the
 * gap it leaves.
 */
export class ArchiveRunWriter {
  readonly #files: LogContainerFiles;
  readonly #limits: ArchiveWriterLimits;
  readonly #onError: (error: unknown) => void;
  /** Every segment known to be stored: an earlier writer's, then this one's. */
  readonly #segments: LogSegment[];
  /** Bytes of the log the store holds from its start (what a reader's lookup finds). */
  #storedBytes: number;
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
    this.#files = new LogContainerFiles(store, container, start.exists, start.newContainer);
    this.#segments = [...start.segments];
    this.#start = segmentsEnd(contiguousSegments(start.segments));
    this.#storedBytes = this.#start;
    this.#seq = Math.max(0, ...start.segments.map((segment) => segment.seq)) + 1;
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
    const spare = this.#partBytes === 0 && size === this.#limits.segmentBytes + PART_SLACK_BYTES ? takeSpareBuffer(size) : undefined;
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
    if (last !== undefined) files.push({ path: last.segment.path, body: await compressSegment(last.bytes, this.#limits.brotliQuality), unique: true });
    const segments = contiguousSegments(last === undefined ? this.#segments : [...this.#segments, last.segment]);
    const manifest: LogManifest = { version: 1, bytes: segmentsEnd(segments), segments, ...fields };
    files.push({ path: MANIFEST_PATH, body: Buffer.from(JSON.stringify(manifest)), unique: true });
    await this.#files.store(files);
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
      await this.#files.store([{ path: segment.path, body: await compressSegment(bytes, this.#limits.brotliQuality), unique: true }]);
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
      if (held.bytes.buffer.byteLength === this.#limits.segmentBytes + PART_SLACK_BYTES) keepSpareBuffer(Buffer.from(held.bytes.buffer));
    }
  }
}

/** A new log's first segment buffer: a short log (most stages') needs no more. */
const FIRST_PART_BYTES = 16 * 1024;
/** Room past segmentBytes in a full-size segment buffer: the write that fills it most often fits. */
const PART_SLACK_BYTES = 256 * 1024;
