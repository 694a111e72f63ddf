/**
 * The artifact store on an S3-compatible bucket (S3 itself is behind s3-bucket.ts):
 *
 *   <keyPrefix>meta/<container>.json        the container's metadata: it exists iff this does
 *   <keyPrefix>files/<container>/<path>     one object per file (no deduplication)
 *   <keyPrefix>expiry/<time>/<container>    empty: the expiry index gc reads in time order
 *   <keyPrefix>pending/<container>          empty: a deletion or a copy in progress
 */
import { pipeline, Readable } from "node:stream";
import { ArtifactExistsError, ArtifactNotFoundError, ArtifactRangeError } from "./artifact-errors.js";
import type { S3StoreSettings } from "./artifact-store-settings.js";
import type {
  ArtifactStore,
  ByteRange,
  ContainerFile,
  ContainerInfo,
  ContainerMetadata,
  FileInfo,
  FolderListing,
  GcReport,
  NewContainer,
  PutFileOptions,
} from "./artifact-store.js";
import { completeMetadata, parseMetadata, skipDamaged } from "./container-metadata.js";
import { createByteMeter } from "./create-byte-meter.js";
import { S3Bucket, type ObjectInfo } from "./s3-bucket.js";
import { validateArtifactFolder, validateArtifactPath, validateContainerName, validateContainerPrefix } from "./validate-artifact-name.js";

/** Server-side copies at once in a promotion: one request each, so thousands of files are not serial. */
const COPY_CONCURRENCY = 8;
/** CopyObject's limit; bigger files are streamed through Eve instead. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;
/** Deletions and copies cut short, and unfinished multipart uploads, are cleaned by gc after this long. */
const STALE_MS = 24 * 3600_000;

export interface S3ArtifactStoreOptions {
  /** Files above this size are copied by streaming them through Eve (default: CopyObject's 5 GiB). */
  maxServerCopyBytes?: number;
  /** Age after which gc takes a pending mark or a multipart upload for abandoned (default: a day). */
  staleAfterMs?: number;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly kind = "s3";
  readonly #bucket: S3Bucket;
  readonly #prefix: string;
  readonly #maxServerCopyBytes: number;
  readonly #staleAfterMs: number;

  constructor(settings: S3StoreSettings, options: S3ArtifactStoreOptions = {}) {
    this.#bucket = new S3Bucket(settings);
    this.#prefix = settings.keyPrefix;
    this.#maxServerCopyBytes = options.maxServerCopyBytes ?? MAX_COPY_BYTES;
    this.#staleAfterMs = options.staleAfterMs ?? STALE_MS;
  }

  async close(): Promise<void> {
    this.#bucket.close();
  }

  async ensureContainer(name: string, metadata: NewContainer): Promise<ContainerInfo> {
    const existing = await this.getContainer(name);
    if (existing !== undefined) return existing;
    const info = { name, ...completeMetadata(metadata, new Date()) };
    // The expiry index first: a container is never without its way to gc (a stale entry is harmless).
    await this.#putExpiry(name, info.expiresAt);
    if (await this.#putMeta(info, true)) return info;
    const winner = await this.getContainer(name);
    if (winner === undefined) throw new ArtifactNotFoundError(`artifact container ${name} was deleted while being created`);
    return winner;
  }

  async createContainer(name: string, metadata: NewContainer, files: readonly ContainerFile[]): Promise<ContainerInfo> {
    if ((await this.getContainer(name)) !== undefined) throw new ArtifactExistsError(`artifact container ${name} already exists`);
    const info = { name, ...completeMetadata(metadata, new Date()) };
    const keys = files.map((file) => this.#fileKey(name, file.path));
    // As a copy: pending until the metadata is written, so gc removes the objects of one cut short.
    await this.#bucket.putText(this.#pendingKey(name), "");
    await this.#putExpiry(name, info.expiresAt);
    await Promise.all(files.map((file, i) => this.#bucket.upload(keys[i] as string, Readable.from([file.body]))));
    if (!(await this.#putMeta(info, true))) throw new ArtifactExistsError(`artifact container ${name} already exists`);
    await this.#bucket.delete(this.#pendingKey(name));
    return info;
  }

  async getContainer(name: string): Promise<ContainerInfo | undefined> {
    const text = await this.#bucket.getText(this.#metaKey(name));
    return text === undefined ? undefined : { name, ...parseMetadata(name, text) };
  }

  async updateContainer(name: string, patch: Partial<ContainerMetadata>): Promise<ContainerInfo> {
    const current = await this.getContainer(name);
    if (current === undefined) throw new ArtifactNotFoundError(`no artifact container ${name}`);
    const updated: ContainerInfo = { ...current, ...patch, name };
    const moved = updated.expiresAt !== current.expiresAt;
    if (moved) await this.#putExpiry(name, updated.expiresAt);
    await this.#putMeta(updated, false);
    if (moved && current.expiresAt !== null) await this.#bucket.delete(this.#expiryKey(name, current.expiresAt));
    return updated;
  }

  async *listContainers(prefix: string): AsyncIterable<ContainerInfo> {
    const metaRoot = `${this.#prefix}meta/`;
    for await (const object of this.#bucket.list(`${metaRoot}${validateContainerPrefix(prefix)}`)) {
      const info = await this.getContainer(object.key.slice(metaRoot.length, -".json".length)).catch(skipDamaged);
      if (info !== undefined) yield info;
    }
  }

  async deleteContainer(name: string): Promise<void> {
    const current = await this.getContainer(name).catch(skipDamaged);
    // A pending mark first, so that gc finishes a deletion cut short; then the metadata: the
    // container is gone at once; its objects follow.
    await this.#bucket.putText(this.#pendingKey(name), "");
    await this.#bucket.delete(this.#metaKey(name));
    await this.#bucket.deleteAll(this.#filesPrefix(name));
    await this.#bucket.deleteKeys([...(current?.expiresAt ? [this.#expiryKey(name, current.expiresAt)] : []), this.#pendingKey(name)]);
  }

  async copyContainer(from: string, to: string, metadata: NewContainer): Promise<ContainerInfo> {
    if ((await this.getContainer(from)) === undefined) throw new ArtifactNotFoundError(`no artifact container ${from}`);
    if ((await this.getContainer(to)) !== undefined) throw new ArtifactExistsError(`artifact container ${to} already exists`);
    const info = { name: to, ...completeMetadata(metadata, new Date()) };
    // Pending until the metadata is written: gc removes the objects of a copy cut short.
    await this.#bucket.putText(this.#pendingKey(to), "");
    await this.#putExpiry(to, info.expiresAt);
    const files: FileInfo[] = [];
    for await (const file of this.listFiles(from)) files.push(file);
    let next = 0;
    const copyNext = async (): Promise<void> => {
      for (let file = files[next++]; file !== undefined; file = files[next++]) await this.#copyFile(from, to, file);
    };
    await Promise.all(Array.from({ length: COPY_CONCURRENCY }, copyNext));
    // The metadata last: the copy appears whole.
    if (!(await this.#putMeta(info, true))) throw new ArtifactExistsError(`artifact container ${to} already exists`);
    await this.#bucket.delete(this.#pendingKey(to));
    return info;
  }

  async putFile(container: string, path: string, body: Readable | AsyncIterable<Uint8Array>, options: PutFileOptions = {}): Promise<FileInfo> {
    const key = this.#fileKey(container, path);
    if ((await this.getContainer(container)) === undefined) throw new ArtifactNotFoundError(`no artifact container ${container}`);
    const meter = createByteMeter(path, options.maxBytes);
    // Errors of the source and of the meter both end the metered stream, which fails the upload; a
    // failed upload stops reading the metered stream, which destroys it and so the source.
    pipeline(body, meter.stream, () => {});
    const etag = await this.#bucket.upload(key, meter.stream, options.signal);
    // The upload's answer says all but the server's time: no HEAD per file (mtime is ours, close to it).
    if (etag !== undefined) return { path, size: meter.bytes(), etag, mtime: new Date() };
    const info = await this.statFile(container, path);
    if (info === undefined) throw new ArtifactNotFoundError(`${path} vanished from ${container} right after it was stored`);
    return info;
  }

  async statFile(container: string, path: string): Promise<FileInfo | undefined> {
    const object = await this.#bucket.head(this.#fileKey(container, path));
    return object === undefined ? undefined : toFileInfo(path, object);
  }

  async readFile(container: string, path: string, range?: ByteRange): Promise<{ info: FileInfo; body: Readable }> {
    const key = this.#fileKey(container, path);
    const valid = range === undefined || (Number.isSafeInteger(range.start) && range.start >= 0 && (range.end === undefined || range.end >= range.start));
    const result = valid ? await this.#bucket.get(key, range) : ({ found: false, reason: "range" } as const);
    if (result.found) return { info: toFileInfo(path, result.info), body: result.body };
    if (result.reason === "missing") throw new ArtifactNotFoundError(`no artifact ${path} in ${container}`);
    const size = (await this.#bucket.head(key))?.size ?? 0;
    throw new ArtifactRangeError(`range ${range?.start ?? ""}-${range?.end ?? ""} is outside ${path} (${size} bytes)`, size);
  }

  async *listFiles(container: string, prefix = ""): AsyncIterable<FileInfo> {
    const base = this.#filesPrefix(container);
    const folder = validateArtifactFolder(prefix);
    for await (const object of this.#bucket.list(folder === "" ? base : `${base}${folder}/`)) yield toFileInfo(object.key.slice(base.length), object);
  }

  async listFolder(container: string, folder: string): Promise<FolderListing> {
    const base = this.#filesPrefix(container);
    const relative = validateArtifactFolder(folder);
    const level = await this.#bucket.listLevel(relative === "" ? base : `${base}${relative}/`);
    return { folders: level.folders, files: level.objects.map((object) => toFileInfo(object.key.slice(base.length), object)) };
  }

  async deleteFile(container: string, path: string): Promise<void> {
    await this.#bucket.delete(this.#fileKey(container, path));
  }

  /**
   * Reads only what may be due: the expiry index up to `now`, in time order, and the pending marks
   * of deletions and copies cut short; never every container or object, so a pass costs what it removes.
   */
  async gc(now: Date): Promise<GcReport> {
    const report: GcReport = { containersDeleted: [], objectsDeleted: 0 };
    const expiryRoot = `${this.#prefix}expiry/`;
    const stale: string[] = [];
    for await (const entry of this.#bucket.list(expiryRoot)) {
      const [time = "", name = ""] = splitOnce(entry.key.slice(expiryRoot.length), "/");
      if (Date.parse(time) > now.getTime()) break;
      const expiresAt = (await this.getContainer(name).catch(skipDamaged))?.expiresAt ?? null;
      if (expiresAt !== null && Date.parse(expiresAt) <= now.getTime()) {
        await this.deleteContainer(name);
        report.containersDeleted.push(name);
      } else stale.push(entry.key); // the container is gone, or its expiry moved (its own entry is further on)
    }
    await this.#bucket.deleteKeys(stale);
    // Abandoned work is judged by the real clock, not by `now` (which may be any time a caller
    // collects as of): a young mark or upload may be work still going on.
    const staleBefore = Date.now() - this.#staleAfterMs;
    const pendingRoot = `${this.#prefix}pending/`;
    for await (const mark of this.#bucket.list(pendingRoot)) {
      if (mark.mtime.getTime() > staleBefore) continue;
      const name = mark.key.slice(pendingRoot.length);
      if ((await this.getContainer(name).catch(skipDamaged)) === undefined) report.objectsDeleted += await this.#bucket.deleteAll(this.#filesPrefix(name));
      await this.#bucket.delete(mark.key);
    }
    report.objectsDeleted += await this.#bucket.abortUploads(`${this.#prefix}files/`, new Date(staleBefore));
    return report;
  }

  async #copyFile(from: string, to: string, file: FileInfo): Promise<void> {
    const source = `${this.#filesPrefix(from)}${file.path}`;
    const target = `${this.#filesPrefix(to)}${file.path}`;
    if (file.size <= this.#maxServerCopyBytes) return this.#bucket.copy(source, target);
    const { body } = await this.readFile(from, file.path);
    await this.#bucket.upload(target, body);
  }

  /** False when `onlyIfAbsent` and the container exists. */
  async #putMeta(info: ContainerInfo, onlyIfAbsent: boolean): Promise<boolean> {
    const { name, ...metadata } = info;
    return this.#bucket.putText(this.#metaKey(name), JSON.stringify(metadata), onlyIfAbsent);
  }

  async #putExpiry(name: string, expiresAt: string | null): Promise<void> {
    if (expiresAt !== null) await this.#bucket.putText(this.#expiryKey(name, expiresAt), "");
  }

  #metaKey(name: string): string {
    return `${this.#prefix}meta/${validateContainerName(name)}.json`;
  }

  /** ISO times sort as text in time order: the index lists due containers first. */
  #expiryKey(name: string, expiresAt: string): string {
    return `${this.#prefix}expiry/${new Date(expiresAt).toISOString()}/${validateContainerName(name)}`;
  }

  #pendingKey(name: string): string {
    return `${this.#prefix}pending/${validateContainerName(name)}`;
  }

  #filesPrefix(name: string): string {
    return `${this.#prefix}files/${validateContainerName(name)}/`;
  }

  #fileKey(container: string, path: string): string {
    return `${this.#filesPrefix(container)}${validateArtifactPath(path)}`;
  }
}

function toFileInfo(path: string, object: ObjectInfo): FileInfo {
  return { path, size: object.size, etag: object.etag, mtime: object.mtime };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + separator.length)];
}
