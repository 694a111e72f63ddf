/**
 * The artifact store: named containers of files, one per build (Eve's `artifacts_name`), plus
 * `<prefix>promoted-<tag>` copies kept forever. Two implementations pass one contract suite
 * (test/contract/artifact-store-contract.ts): DiskArtifactStore (the embedded default: a directory,
 * identical files stored once) and S3ArtifactStore (any S3-compatible bucket).
 *
 * Every name and path is validated by the store itself (validate-artifact-name.ts) before it is
 * used: callers may pass untrusted strings and get an ArtifactNameError back.
 */
import type { Readable } from "node:stream";

/** What a container holds: build artifacts, or the chunks of stage logs (issue 14). */
export type ContainerKind = "artifacts" | "logs";

/** What the store records about a container, besides its files. */
export interface ContainerMetadata {
  kind: ContainerKind;
  /** ISO 8601 time the container was created. */
  createdAt: string;
  /** ISO 8601 time after which `gc` deletes the container; null: kept forever (promoted). */
  expiresAt: string | null;
  /** Written by a build of a fork's pull request: a trusted build's last_success lookup skips it. */
  untrusted: boolean;
  /** Build outcome, set when the build ends; `"success"` makes it a `/last_success/` candidate. */
  result?: string;
  buildId?: string;
  /** Top stage of the build that created it. */
  stage?: string;
  /** Full commit sha. */
  commit?: string;
  /** For a promoted copy: the container it was copied from. */
  promotedFrom?: string;
  /** Anything else a caller wants to keep (string values only). */
  properties?: Record<string, string>;
}

/** A container: its name and metadata. */
export interface ContainerInfo extends ContainerMetadata {
  name: string;
}

/** Fields `createContainer` fills when not given: createdAt (now), untrusted (false), kind ("artifacts"). */
export type NewContainer = Partial<Pick<ContainerMetadata, "kind" | "createdAt" | "untrusted">> &
  Omit<ContainerMetadata, "kind" | "createdAt" | "untrusted">;

/** A stored file. */
export interface FileInfo {
  /** Path inside the container, `/`-separated, never starting with `/`. */
  path: string;
  size: number;
  /** Opaque validator, the same for the same content in one store (no quotes). */
  etag: string;
  /** Last modification of the content. */
  mtime: Date;
}

/** One level of a folder: its sub-folders (names, no slash) and files, each sorted by code point. */
export interface FolderListing {
  folders: string[];
  files: FileInfo[];
}

/** Inclusive byte range, as in an HTTP `Range` header; `end` defaults to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

/** A small file held in memory, for `createContainer`. */
export interface ContainerFile {
  /** Path inside the container, as for `putFile`. */
  path: string;
  body: Buffer;
  /** As PutFileOptions.unique. */
  unique?: boolean;
}

export interface PutFileOptions {
  /** Refuse the file (ArtifactLimitError, nothing stored) once more than this many bytes arrive. */
  maxBytes?: number;
  signal?: AbortSignal;
  /**
   * Content that will not repeat (a log segment, a manifest): not matched with stored content, so
   * it costs no lookup (on disk: no blob links) and its etag is its own, equal content or not.
   */
  unique?: boolean;
}

/** What one `gc` pass removed. */
export interface GcReport {
  containersDeleted: string[];
  /** Stored objects nothing referenced any more (blobs on disk, orphan objects in S3). */
  objectsDeleted: number;
}

export interface ArtifactStore {
  /** "disk" or "s3", for logs and docs. */
  readonly kind: string;

  /**
   * Creates the container, or returns the existing one unchanged (every stage of a build calls it;
   * concurrent calls are safe: exactly one creates it).
   */
  ensureContainer(name: string, metadata: NewContainer): Promise<ContainerInfo>;
  /**
   * Creates the container holding `files` (small, in memory) at once: it appears whole with them, or
   * not at all. ArtifactExistsError (nothing written) if it exists. A short stage's log is one such
   * container: a few writes, where ensureContainer and a putFile per file take dozens.
   */
  createContainer(name: string, metadata: NewContainer, files: readonly ContainerFile[]): Promise<ContainerInfo>;
  /** The container, or undefined when there is none. */
  getContainer(name: string): Promise<ContainerInfo | undefined>;
  /** Merges `patch` into the metadata (last writer wins); ArtifactNotFoundError if there is no container. */
  updateContainer(name: string, patch: Partial<ContainerMetadata>): Promise<ContainerInfo>;
  /** Containers whose name starts with `prefix`, in no particular order. */
  listContainers(prefix: string): AsyncIterable<ContainerInfo>;
  /** Deletes the container and its files; a no-op when there is none. */
  deleteContainer(name: string): Promise<void>;
  /**
   * Copies every file of `from` into a new container `to` (promotion): `metadata` is the new
   * container's. Cheap on disk (hard links); server-side copies on S3. ArtifactExistsError if `to` exists.
   */
  copyContainer(from: string, to: string, metadata: NewContainer): Promise<ContainerInfo>;

  /**
   * Stores a file from a stream of unknown length, never holding it whole in memory. The file is
   * listed only once completely stored (replacing any file at that path); on any error (limit,
   * abort, stream error) nothing is listed. ArtifactNotFoundError if the container does not exist.
   */
  putFile(container: string, path: string, body: Readable | AsyncIterable<Uint8Array>, options?: PutFileOptions): Promise<FileInfo>;
  /** The file's size, etag and mtime, or undefined (no such file or container). */
  statFile(container: string, path: string): Promise<FileInfo | undefined>;
  /**
   * The file's bytes (a range of them). ArtifactNotFoundError if there is no such file;
   * ArtifactRangeError if the range starts at or past the end.
   */
  readFile(container: string, path: string, range?: ByteRange): Promise<{ info: FileInfo; body: Readable }>;
  /** Every file under `prefix` (a folder, `""` for all, with or without trailing `/`), recursively, sorted by path. */
  listFiles(container: string, prefix?: string): AsyncIterable<FileInfo>;
  /** One level of `folder` (`""` for the top). An absent folder lists empty. */
  listFolder(container: string, folder: string): Promise<FolderListing>;
  /** Deletes one file; a no-op when it is not there. */
  deleteFile(container: string, path: string): Promise<void>;

  /** Deletes containers whose expiresAt ≤ now and stored objects nothing references any more. */
  gc(now: Date): Promise<GcReport>;

  /** Releases connections (S3); the store is not used afterwards. */
  close(): Promise<void>;
}
