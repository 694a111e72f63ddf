import { createBrotliDecompress } from "node:zlib";
import { ArtifactNameError, ArtifactNotFoundError } from "../artifacts/artifact-errors.js";
import type { ArtifactStore, ContainerInfo, NewContainer } from "../artifacts/artifact-store.js";
import { ArchiveRunWriter, type ArchiveWriterLimits, type ManifestFields } from "./archive-run-writer.js";
import { MANIFEST_PATH, parseLogManifest, type LogManifest } from "./log-manifest.js";
import { contiguousSegments, parseSegmentPath, segmentsEnd, segmentsInRange, type LogSegment } from "./log-segments.js";

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

export const DEFAULT_ARCHIVE_LIMITS: ArchiveWriterLimits = { segmentBytes: 1024 * 1024, segmentMs: 2000, parallelSegments: 2, brotliQuality: 0 };

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
 * The manifest's `logExpiresAt` is the log's retention (from the run's end);
 * until there is one, the container's `logExpiresAt` property (from when it
 * was made). The container itself expires a year later, so an expired log
 * answers 410.
 */
export class LogArchive {
  readonly #getStore: () => Promise<ArtifactStore>;
  readonly #limits: ArchiveWriterLimits;
  readonly #retentionMs: number;
  readonly #onError: (error: unknown) => void;
  /** When each finalised log ended: a container made by its last store (a short log) keeps the manifest's retention. */
  readonly #endedAt = new WeakMap<ArchiveRunWriter, number>();

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
   * Queued line another process wrote, or the part a lost attempt's worker
   * wrote before it died). One listing finds it all; a new log's container
   * is made by the writer's first store.
   */
  async openWriter(run: string): Promise<ArchiveRunWriter> {
    const store = await this.#getStore();
    const container = containerName(run);
    const files: string[] = [];
    for await (const file of store.listFiles(container)) files.push(file.path);
    // A manifest of an earlier attempt would hide what this one writes.
    if (files.includes(MANIFEST_PATH)) await store.deleteFile(container, MANIFEST_PATH);
    const segments = files.map(parseSegmentPath).filter((segment) => segment !== undefined);
    const newContainer = (): NewContainer => {
      const retention = this.#retention(this.#endedAt.get(writer) ?? Date.now());
      return { kind: "logs", expiresAt: retention.expiresAt, properties: { run, logExpiresAt: retention.logExpiresAt } };
    };
    const writer = new ArchiveRunWriter(store, container, { exists: files.length > 0, segments, newContainer }, this.#limits, this.#onError);
    return writer;
  }

  /**
   * Ends the log: stores its rest and its manifest, which marks it complete
   * and starts its retention from now. Rejects when the store does not hold
   * the whole log.
   */
  async finalise(writer: ArchiveRunWriter, manifest: Omit<ManifestFields, "logExpiresAt">): Promise<void> {
    const endedAt = Date.now();
    this.#endedAt.set(writer, endedAt);
    await writer.finish({ ...manifest, logExpiresAt: this.#retention(endedAt).logExpiresAt });
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
    const manifest = await this.#readManifest(info.name);
    const expiresAt = logExpiresAt(info, manifest);
    if (expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime()) return { state: "expired", expiredAt: expiresAt };
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
      const due = info.properties?.logExpiresAt;
      if (info.kind !== "logs" || due === undefined || Date.parse(due) > now.getTime() || info.properties?.swept !== undefined) continue;
      // The container's retention counts from when it was made; a finished log's manifest says when it ends.
      let manifest: LogManifest | undefined;
      try {
        manifest = await this.#readManifest(info.name);
      } catch {
        continue; // unreadable now: the next sweep tries again, rather than cut a log short
      }
      const expiresAt = logExpiresAt(info, manifest) ?? due;
      if (Date.parse(expiresAt) > now.getTime()) {
        // Moved once, so that later sweeps pass it by without reading the manifest.
        const tombstone = new Date(Date.parse(expiresAt) + TOMBSTONE_MS).toISOString();
        await store.updateContainer(info.name, { expiresAt: tombstone, properties: { ...info.properties, logExpiresAt: expiresAt } });
        continue;
      }
      for await (const file of store.listFiles(info.name)) await store.deleteFile(info.name, file.path);
      await store.updateContainer(info.name, { properties: { ...info.properties, swept: now.toISOString() } });
      swept.push(info.properties?.run ?? info.name);
    }
    return swept;
  }

  /** The container's expiry (gc removes the tombstone then) and the log's, for retention counted from `now`. */
  #retention(now: number): { expiresAt: string; logExpiresAt: string } {
    return { expiresAt: new Date(now + this.#retentionMs + TOMBSTONE_MS).toISOString(), logExpiresAt: new Date(now + this.#retentionMs).toISOString() };
  }

  async #listSegments(container: string): Promise<LogSegment[]> {
    const store = await this.#getStore();
    const segments: LogSegment[] = [];
    for await (const file of store.listFiles(container)) {
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

/** When the log expires: a finished log's manifest says (from its end); else the container (from when it was made). */
function logExpiresAt(info: ContainerInfo, manifest: LogManifest | undefined): string | undefined {
  return manifest?.logExpiresAt ?? info.properties?.logExpiresAt;
}

/** The store container of a run's log. */
export function containerName(run: string): string {
  return CONTAINER_PREFIX + run;
}
