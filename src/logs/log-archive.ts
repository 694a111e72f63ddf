import { Readable } from "node:stream";
import { createBrotliDecompress } from "node:zlib";
import { ArtifactNameError, ArtifactNotFoundError } from "../artifacts/artifact-errors.js";
import type { ArtifactStore, ContainerInfo } from "../artifacts/artifact-store.js";
import { ArchiveRunWriter, type ArchiveWriterLimits } from "./archive-run-writer.js";
import { MANIFEST_PATH, parseLogManifest, type LogManifest } from "./log-manifest.js";
import { contiguousSegments, parseSegmentPath, SEGMENT_FOLDER, segmentsEnd, segmentsInRange, type LogSegment } from "./log-segments.js";

export interface LogArchiveOptions extends Partial<ArchiveWriterLimits> {
  /** How long a finished log is kept (EVE_LOG_RETENTION_DAYS). */
  retentionMs: number;
  /** Where store errors go: the archive never throws into the engine. */
  onError?: (error: unknown) => void;
}

/** A stored log as a reader finds it. */
export type ArchivedLog =
  | { state: "missing" }
  | { state: "expired"; expiredAt: string }
  /** `manifest` once the log is complete; until then the contiguous segments are what is stored so far. */
  | { state: "stored"; segments: LogSegment[]; bytes: number; manifest: LogManifest | undefined };

export const DEFAULT_ARCHIVE_LIMITS: ArchiveWriterLimits = { segmentBytes: 1024 * 1024, segmentMs: 2000, parallelSegments: 2, brotliQuality: 1 };

/**
 * After a log expires, its container stays this long as a tombstone (its
 * metadata only) so that its page can say it expired (410) rather than that
 * it never existed; then the store's gc removes it.
 */
const TOMBSTONE_MS = 365 * 24 * 3600 * 1000;
const CONTAINER_PREFIX = "log:";

/**
 * Whole stage logs in the artifact store: one container `log:<run>` (kind
 * "logs") per run, holding Brotli segments and, once the run ends, a manifest.
 * The container's `logExpiresAt` property is the log's retention; the
 * container itself expires a year later, so an expired log answers 410.
 */
export class LogArchive {
  readonly #getStore: () => Promise<ArtifactStore>;
  readonly #limits: ArchiveWriterLimits;
  readonly #retentionMs: number;
  readonly #onError: (error: unknown) => void;

  /** `store`: the artifact store, or how to get it (made on first use). */
  constructor(store: ArtifactStore | (() => Promise<ArtifactStore>), options: LogArchiveOptions) {
    this.#getStore = typeof store === "function" ? store : async () => store;
    const { retentionMs, onError, ...limits } = options;
    this.#retentionMs = retentionMs;
    this.#onError = onError ?? (() => {});
    this.#limits = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  }

  /**
   * A writer for the run's log, going on after what is already stored (the
   * part a lost attempt's worker wrote before it died).
   */
  async openWriter(run: string): Promise<ArchiveRunWriter> {
    const store = await this.#getStore();
    const container = containerName(run);
    const now = Date.now();
    await store.ensureContainer(container, {
      kind: "logs",
      expiresAt: new Date(now + this.#retentionMs + TOMBSTONE_MS).toISOString(),
      properties: { run, logExpiresAt: new Date(now + this.#retentionMs).toISOString() },
    });
    const all = await this.#listSegments(container);
    const kept = contiguousSegments(all);
    // A manifest of an earlier attempt would hide what this one writes.
    await store.deleteFile(container, MANIFEST_PATH);
    const nextSeq = Math.max(0, ...all.map((segment) => segment.seq)) + 1;
    return new ArchiveRunWriter(store, container, segmentsEnd(kept), nextSeq, this.#limits, this.#onError);
  }

  /** Marks the log complete (the writer flushed) and starts its retention from now. */
  async finalise(run: string, manifest: Omit<LogManifest, "version" | "segments" | "bytes">): Promise<void> {
    const store = await this.#getStore();
    const container = containerName(run);
    const segments = contiguousSegments(await this.#listSegments(container));
    const whole: LogManifest = { version: 1, bytes: segmentsEnd(segments), segments, ...manifest };
    await store.putFile(container, MANIFEST_PATH, Readable.from([Buffer.from(JSON.stringify(whole))]));
    const info = await store.getContainer(container);
    const now = Date.now();
    await store.updateContainer(container, {
      expiresAt: new Date(now + this.#retentionMs + TOMBSTONE_MS).toISOString(),
      properties: { ...info?.properties, logExpiresAt: new Date(now + this.#retentionMs).toISOString() },
    });
  }

  /** The run's stored log: complete (with its manifest), partial, expired or missing. */
  async lookup(run: string, now = new Date()): Promise<ArchivedLog> {
    const store = await this.#getStore();
    let info: ContainerInfo | undefined;
    try {
      info = await store.getContainer(containerName(run));
    } catch (error) {
      if (error instanceof ArtifactNameError) return { state: "missing" };
      throw error;
    }
    if (info === undefined) return { state: "missing" };
    const expiresAt = info.properties?.logExpiresAt;
    if (expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime()) return { state: "expired", expiredAt: expiresAt };
    const manifest = await this.#readManifest(info.name);
    if (manifest) return { state: "stored", segments: manifest.segments, bytes: manifest.bytes, manifest };
    const segments = contiguousSegments(await this.#listSegments(info.name));
    return { state: "stored", segments, bytes: segmentsEnd(segments), manifest: undefined };
  }

  /** Bytes [start, end) of the stored log, reading only the segments that range overlaps. */
  async *read(run: string, segments: readonly LogSegment[], start: number, end: number): AsyncIterable<Buffer> {
    const store = await this.#getStore();
    const container = containerName(run);
    for (const segment of segmentsInRange(segments, start, end)) {
      const { body } = await store.readFile(container, segment.path);
      const text = body.pipe(createBrotliDecompress());
      let position = segment.start;
      try {
        for await (const chunk of text as AsyncIterable<Buffer>) {
          const from = Math.max(0, start - position);
          const to = Math.min(chunk.length, end - position);
          position += chunk.length;
          if (to > from) yield chunk.subarray(from, to);
          if (position >= end) break;
        }
      } finally {
        body.destroy();
        text.destroy();
      }
    }
  }

  /**
   * Retention: deletes the segments of every log past its `logExpiresAt`,
   * keeping the container's metadata as a tombstone. Returns the runs swept.
   */
  async sweep(now: Date): Promise<string[]> {
    const store = await this.#getStore();
    const swept: string[] = [];
    for await (const info of store.listContainers(CONTAINER_PREFIX)) {
      const expiresAt = info.properties?.logExpiresAt;
      if (info.kind !== "logs" || expiresAt === undefined || Date.parse(expiresAt) > now.getTime() || info.properties?.swept !== undefined) continue;
      for await (const file of store.listFiles(info.name)) await store.deleteFile(info.name, file.path);
      await store.updateContainer(info.name, { properties: { ...info.properties, swept: now.toISOString() } });
      swept.push(info.properties?.run ?? info.name);
    }
    return swept;
  }

  async #listSegments(container: string): Promise<LogSegment[]> {
    const store = await this.#getStore();
    const segments: LogSegment[] = [];
    for await (const file of store.listFiles(container, SEGMENT_FOLDER)) {
      const segment = parseSegmentPath(file.path);
      if (segment) segments.push(segment);
    }
    return segments;
  }

  async #readManifest(container: string): Promise<LogManifest | undefined> {
    const store = await this.#getStore();
    try {
      const { body } = await store.readFile(container, MANIFEST_PATH);
      const chunks: Buffer[] = [];
      for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
      return parseLogManifest(Buffer.concat(chunks).toString("utf8"));
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return undefined;
      throw error;
    }
  }
}

/** The store container of a run's log. */
export function containerName(run: string): string {
  return CONTAINER_PREFIX + run;
}
