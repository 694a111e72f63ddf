/**
 * The artifact store on an S3-compatible bucket (the only file that imports the AWS SDK).
 *
 *   <keyPrefix>meta/<container>.json      the container's metadata: it exists iff this does
 *   <keyPrefix>files/<container>/<path>   one object per file (no deduplication)
 *
 * Nothing here is specific to one server: path-style URLs and checksums only where an operation
 * requires them (settings), conditional create with If-None-Match where the server supports it.
 * Uploads stream in 8 MiB parts, two in flight: memory stays flat whatever the file's size.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type ListObjectsV2CommandOutput,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { pipeline, type Readable } from "node:stream";
import { ArtifactExistsError, ArtifactNotFoundError, ArtifactRangeError } from "./artifact-errors.js";
import type { S3StoreSettings } from "./artifact-store-settings.js";
import type {
  ArtifactStore,
  ByteRange,
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
import { validateArtifactFolder, validateArtifactPath, validateContainerName, validateContainerPrefix } from "./validate-artifact-name.js";

const PART_BYTES = 8 * 1024 * 1024;
const COPY_CONCURRENCY = 8;
/** CopyObject's limit; bigger files are streamed through Eve instead. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

export interface S3ArtifactStoreOptions {
  /** Files above this size are copied by streaming them through Eve (default: CopyObject's 5 GiB). */
  maxServerCopyBytes?: number;
}
/** Deletions and copies cut short, and unfinished multipart uploads, are cleaned by gc after this long. */
const STALE_MS = 24 * 3600_000;

export class S3ArtifactStore implements ArtifactStore {
  readonly kind = "s3";
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #maxServerCopyBytes: number;

  constructor(settings: S3StoreSettings, options: S3ArtifactStoreOptions = {}) {
    this.#maxServerCopyBytes = options.maxServerCopyBytes ?? MAX_COPY_BYTES;
    this.#client = new S3Client({
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
      // Since 3.729 the SDK adds CRC32 checksums by default, which many non-AWS servers refuse.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    this.#bucket = settings.bucket;
    this.#prefix = settings.keyPrefix;
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async ensureContainer(name: string, metadata: NewContainer): Promise<ContainerInfo> {
    const existing = await this.getContainer(name);
    if (existing !== undefined) return existing;
    const info = { name, ...completeMetadata(metadata, new Date()) };
    // The expiry index first: a container is never without its way to gc (a stale entry is harmless).
    await this.#putExpiry(name, info.expiresAt);
    try {
      await this.#putMeta(info, true);
      return info;
    } catch (error) {
      if (statusOf(error) !== 412) throw error;
      const winner = await this.getContainer(name);
      if (winner === undefined) throw new ArtifactNotFoundError(`artifact container ${name} was deleted while being created`);
      return winner;
    }
  }

  async getContainer(name: string): Promise<ContainerInfo | undefined> {
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#metaKey(name) }));
      return { name, ...parseMetadata(name, await (response.Body as { transformToString(): Promise<string> }).transformToString()) };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async updateContainer(name: string, patch: Partial<ContainerMetadata>): Promise<ContainerInfo> {
    const current = await this.getContainer(name);
    if (current === undefined) throw new ArtifactNotFoundError(`no artifact container ${name}`);
    const updated: ContainerInfo = { ...current, ...patch, name };
    const moved = updated.expiresAt !== current.expiresAt;
    if (moved) await this.#putExpiry(name, updated.expiresAt);
    await this.#putMeta(updated, false);
    if (moved && current.expiresAt !== null) await this.#deleteKeys([this.#expiryKey(name, current.expiresAt)]);
    return updated;
  }

  async *listContainers(prefix: string): AsyncIterable<ContainerInfo> {
    const metaPrefix = `${this.#prefix}meta/`;
    for await (const object of this.#listObjects(`${metaPrefix}${validateContainerPrefix(prefix)}`)) {
      const name = object.key.slice(metaPrefix.length, -".json".length);
      const info = await this.getContainer(name).catch(skipDamaged);
      if (info !== undefined) yield info;
    }
  }

  async deleteContainer(name: string): Promise<void> {
    const current = await this.getContainer(name).catch(skipDamaged);
    // A pending mark first, so that gc finishes a deletion cut short; then the metadata: the
    // container is gone at once; its objects follow.
    await this.#putEmpty(this.#pendingKey(name));
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#metaKey(name) }));
    await this.#deleteAll(this.#filesPrefix(name));
    await this.#deleteKeys([...(current?.expiresAt ? [this.#expiryKey(name, current.expiresAt)] : []), this.#pendingKey(name)]);
  }

  async copyContainer(from: string, to: string, metadata: NewContainer): Promise<ContainerInfo> {
    if ((await this.getContainer(from)) === undefined) throw new ArtifactNotFoundError(`no artifact container ${from}`);
    if ((await this.getContainer(to)) !== undefined) throw new ArtifactExistsError(`artifact container ${to} already exists`);
    const info = { name: to, ...completeMetadata(metadata, new Date()) };
    // Pending until the metadata is written: gc removes the objects of a copy cut short.
    await this.#putEmpty(this.#pendingKey(to));
    await this.#putExpiry(to, info.expiresAt);
    const files: FileInfo[] = [];
    for await (const file of this.listFiles(from)) files.push(file);
    // A few copies at once: one request each, and a promotion of thousands of files is not serial.
    let next = 0;
    const copyNext = async (): Promise<void> => {
      for (let file = files[next++]; file !== undefined; file = files[next++]) await this.#copyFile(from, to, file);
    };
    await Promise.all(Array.from({ length: COPY_CONCURRENCY }, copyNext));
    // The metadata last: the copy appears whole.
    try {
      await this.#putMeta(info, true);
    } catch (error) {
      if (statusOf(error) === 412) throw new ArtifactExistsError(`artifact container ${to} already exists`);
      throw error;
    }
    await this.#deleteKeys([this.#pendingKey(to)]);
    return info;
  }

  async putFile(container: string, path: string, body: Readable | AsyncIterable<Uint8Array>, options: PutFileOptions = {}): Promise<FileInfo> {
    const key = this.#fileKey(container, path);
    if ((await this.getContainer(container)) === undefined) throw new ArtifactNotFoundError(`no artifact container ${container}`);
    const meter = createByteMeter(path, options.maxBytes);
    // Errors of the source and of the meter both end the metered stream, which fails the upload; a
    // failed upload stops iterating the metered stream, which destroys it and so the source.
    pipeline(body, meter.stream, () => {});
    const upload = new Upload({ client: this.#client, params: { Bucket: this.#bucket, Key: key, Body: meter.stream }, partSize: PART_BYTES, queueSize: 2 });
    const onAbort = (): void => {
      meter.stream.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error("upload aborted"));
      void upload.abort();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (options.signal?.aborted) onAbort();
      await upload.done();
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
    const info = await this.statFile(container, path);
    if (info === undefined) throw new ArtifactNotFoundError(`${path} vanished from ${container} right after it was stored`);
    return info;
  }

  async statFile(container: string, path: string): Promise<FileInfo | undefined> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#fileKey(container, path) }));
      return { path, size: head.ContentLength ?? 0, etag: unquote(head.ETag), mtime: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async readFile(container: string, path: string, range?: ByteRange): Promise<{ info: FileInfo; body: Readable }> {
    const key = this.#fileKey(container, path);
    if (range !== undefined && (!Number.isSafeInteger(range.start) || range.start < 0 || (range.end !== undefined && range.end < range.start))) {
      const size = (await this.statFile(container, path))?.size ?? 0;
      throw new ArtifactRangeError(`range ${range.start}-${range.end ?? ""} of ${path} is invalid`, size);
    }
    try {
      const response = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end ?? ""}` } : {}) }),
      );
      const size = range ? Number(/\/(\d+)$/.exec(response.ContentRange ?? "")?.[1] ?? response.ContentLength ?? 0) : (response.ContentLength ?? 0);
      const info = { path, size, etag: unquote(response.ETag), mtime: response.LastModified ?? new Date(0) };
      return { info, body: response.Body as Readable };
    } catch (error) {
      if (statusOf(error) === 404) throw new ArtifactNotFoundError(`no artifact ${path} in ${container}`);
      if (statusOf(error) === 416 && range) {
        const size = (await this.statFile(container, path))?.size ?? 0;
        throw new ArtifactRangeError(`range start ${range.start} is outside ${path} (${size} bytes)`, size);
      }
      throw error;
    }
  }

  async *listFiles(container: string, prefix = ""): AsyncIterable<FileInfo> {
    const base = this.#filesPrefix(container);
    const folder = validateArtifactFolder(prefix);
    for await (const object of this.#listObjects(folder === "" ? base : `${base}${folder}/`)) {
      yield { path: object.key.slice(base.length), size: object.size, etag: object.etag, mtime: object.mtime };
    }
  }

  async listFolder(container: string, folder: string): Promise<FolderListing> {
    const base = this.#filesPrefix(container);
    const relative = validateArtifactFolder(folder);
    const prefix = relative === "" ? base : `${base}${relative}/`;
    const listing: FolderListing = { folders: [], files: [] };
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, Delimiter: "/", ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const common of page.CommonPrefixes ?? []) listing.folders.push((common.Prefix ?? "").slice(prefix.length, -1));
      for (const object of page.Contents ?? []) {
        listing.files.push({ path: (object.Key ?? "").slice(base.length), size: object.Size ?? 0, etag: unquote(object.ETag), mtime: object.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return listing;
  }

  async deleteFile(container: string, path: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#fileKey(container, path) }));
  }

  /**
   * Reads only what may be due: the expiry index up to `now` (`expiry/<time>/<name>`, in time
   * order), and the pending marks of deletions and copies cut short; never every container or
   * object, so a pass costs what it removes.
   */
  async gc(now: Date): Promise<GcReport> {
    const report: GcReport = { containersDeleted: [], objectsDeleted: 0 };
    const expiryRoot = `${this.#prefix}expiry/`;
    const stale: string[] = [];
    for await (const entry of this.#listObjects(expiryRoot)) {
      const [time = "", name = ""] = splitOnce(entry.key.slice(expiryRoot.length), "/");
      if (Date.parse(time) > now.getTime()) break;
      const container = await this.getContainer(name).catch(skipDamaged);
      const expiresAt = container?.expiresAt ?? null;
      if (expiresAt !== null && Date.parse(expiresAt) <= now.getTime()) {
        await this.deleteContainer(name);
        report.containersDeleted.push(name);
      } else stale.push(entry.key); // the container is gone, or its expiry moved (its own entry is further on)
    }
    await this.#deleteKeys(stale);
    const pendingRoot = `${this.#prefix}pending/`;
    for await (const mark of this.#listObjects(pendingRoot)) {
      // A young mark may be a deletion or a copy still going on.
      if (now.getTime() - mark.mtime.getTime() <= STALE_MS) continue;
      const name = mark.key.slice(pendingRoot.length);
      if ((await this.getContainer(name).catch(skipDamaged)) === undefined) report.objectsDeleted += await this.#deleteAll(this.#filesPrefix(name));
      await this.#deleteKeys([mark.key]);
    }
    report.objectsDeleted += await this.#abortStaleUploads(now);
    return report;
  }

  async #copyFile(from: string, to: string, file: FileInfo): Promise<void> {
    const target = `${this.#filesPrefix(to)}${file.path}`;
    if (file.size > this.#maxServerCopyBytes) {
      const { body } = await this.readFile(from, file.path);
      await new Upload({ client: this.#client, params: { Bucket: this.#bucket, Key: target, Body: body }, partSize: PART_BYTES, queueSize: 2 }).done();
    } else {
      const source = `${this.#bucket}/${this.#filesPrefix(from)}${file.path}`;
      await this.#client.send(new CopyObjectCommand({ Bucket: this.#bucket, Key: target, CopySource: source.split("/").map(encodeURIComponent).join("/") }));
    }
  }

  async #putMeta(info: ContainerInfo, onlyIfAbsent: boolean): Promise<void> {
    const { name, ...metadata } = info;
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#metaKey(name),
        Body: JSON.stringify(metadata),
        ContentType: "application/json",
        ...(onlyIfAbsent ? { IfNoneMatch: "*" } : {}),
      }),
    );
  }

  async *#listObjects(prefix: string): AsyncIterable<{ key: string; size: number; etag: string; mtime: Date }> {
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) {
        yield { key: object.Key ?? "", size: object.Size ?? 0, etag: unquote(object.ETag), mtime: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** Deletes every object under `prefix`; returns how many there were. */
  async #deleteAll(prefix: string): Promise<number> {
    const keys: string[] = [];
    for await (const object of this.#listObjects(prefix)) keys.push(object.key);
    await this.#deleteKeys(keys);
    return keys.length;
  }

  async #putEmpty(key: string): Promise<void> {
    await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: "" }));
  }

  async #putExpiry(name: string, expiresAt: string | null): Promise<void> {
    if (expiresAt !== null) await this.#putEmpty(this.#expiryKey(name, expiresAt));
  }

  async #deleteKeys(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      const result = await this.#client.send(new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: batch, Quiet: true } }));
      const failed = result.Errors?.[0];
      if (failed !== undefined) throw new Error(`S3 refused to delete ${failed.Key ?? "?"}: ${failed.Code ?? ""} ${failed.Message ?? ""}`);
    }
  }

  async #abortStaleUploads(now: Date): Promise<number> {
    let aborted = 0;
    const listing = await this.#client.send(new ListMultipartUploadsCommand({ Bucket: this.#bucket, Prefix: `${this.#prefix}files/` }));
    for (const upload of listing.Uploads ?? []) {
      if (upload.Key === undefined || upload.UploadId === undefined || upload.Initiated === undefined) continue;
      if (now.getTime() - upload.Initiated.getTime() <= STALE_MS) continue;
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: upload.Key, UploadId: upload.UploadId }));
      aborted += 1;
    }
    return aborted;
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

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + separator.length)];
}

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}
