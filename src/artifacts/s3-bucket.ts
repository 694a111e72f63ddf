/**
 * The artifact store's bucket: the few S3 operations it uses, over the AWS SDK (the only file
 * that imports it). Nothing here is specific to one server: path-style URLs and checksums only
 * where an operation requires them (settings), If-None-Match where the server supports it.
 */
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type ListObjectsV2CommandOutput,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Readable } from "node:stream";
import type { S3StoreSettings } from "./artifact-store-settings.js";

/** Uploads go in 8 MiB parts, two in flight: memory stays flat whatever the object's size. */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

export interface ObjectInfo {
  key: string;
  size: number;
  /** Without quotes. */
  etag: string;
  mtime: Date;
}

export type GetObjectResult =
  | { found: true; info: ObjectInfo; body: Readable }
  | { found: false; reason: "missing" | "range" };

export class S3Bucket {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(settings: S3StoreSettings) {
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
  }

  close(): void {
    this.#client.destroy();
  }

  /** A small object's text, or undefined when there is none. */
  async getText(key: string): Promise<string | undefined> {
    const result = await this.get(key);
    return result.found ? await (result.body as unknown as { transformToString(): Promise<string> }).transformToString() : undefined;
  }

  /** Writes a small object; with `ifAbsent`, only when there is none (false: there was one). */
  async putText(key: string, text: string, ifAbsent = false): Promise<boolean> {
    try {
      await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: text, ...(ifAbsent ? { IfNoneMatch: "*" } : {}) }));
      return true;
    } catch (error) {
      if (ifAbsent && statusOf(error) === 412) return false;
      throw error;
    }
  }

  /**
   * Streams `body` into the object; a failed upload stops reading `body` and leaves no object.
   * Returns the new object's etag (undefined if the server gave none).
   */
  async upload(key: string, body: Readable, signal?: AbortSignal): Promise<string | undefined> {
    const upload = new Upload({ client: this.#client, params: { Bucket: this.#bucket, Key: key, Body: body }, partSize: PART_BYTES, queueSize: PARTS_IN_FLIGHT });
    const onAbort = (): void => {
      body.destroy(signal?.reason instanceof Error ? signal.reason : new Error("upload aborted"));
      void upload.abort();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (signal?.aborted) onAbort();
      const { ETag } = await upload.done();
      return ETag === undefined ? undefined : unquote(ETag);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  async copy(sourceKey: string, targetKey: string): Promise<void> {
    const source = `${this.#bucket}/${sourceKey}`.split("/").map(encodeURIComponent).join("/");
    await this.#client.send(new CopyObjectCommand({ Bucket: this.#bucket, Key: targetKey, CopySource: source }));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { key, size: head.ContentLength ?? 0, etag: unquote(head.ETag), mtime: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** The object (inclusive byte range as in HTTP; `info.size` is the whole object's). */
  async get(key: string, range?: { start: number; end?: number }): Promise<GetObjectResult> {
    try {
      const response = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end ?? ""}` } : {}) }),
      );
      const total = /\/(\d+)$/.exec(response.ContentRange ?? "")?.[1];
      const size = total !== undefined ? Number(total) : (response.ContentLength ?? 0);
      return { found: true, info: { key, size, etag: unquote(response.ETag), mtime: response.LastModified ?? new Date(0) }, body: response.Body as Readable };
    } catch (error) {
      if (isMissingKey(error)) return { found: false, reason: "missing" };
      if (statusOf(error) === 416) return { found: false, reason: "range" };
      throw error;
    }
  }

  /** Every object under `prefix`, in key order, page by page. */
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of this.#pages(prefix, undefined)) yield* page.objects;
  }

  /** One level under `prefix`: the sub-prefixes (without `prefix` and the trailing `/`) and the objects. */
  async listLevel(prefix: string): Promise<{ folders: string[]; objects: ObjectInfo[] }> {
    const level = { folders: [] as string[], objects: [] as ObjectInfo[] };
    for await (const page of this.#pages(prefix, "/")) {
      level.folders.push(...page.folders.map((folder) => folder.slice(prefix.length, -1)));
      level.objects.push(...page.objects);
    }
    return level;
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      const result = await this.#client.send(new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: batch, Quiet: true } }));
      const failed = result.Errors?.[0];
      if (failed !== undefined) throw new Error(`S3 refused to delete ${failed.Key ?? "?"}: ${failed.Code ?? ""} ${failed.Message ?? ""}`);
    }
  }

  /** Deletes every object under `prefix`; returns how many there were. */
  async deleteAll(prefix: string): Promise<number> {
    const keys: string[] = [];
    for await (const object of this.list(prefix)) keys.push(object.key);
    await this.deleteKeys(keys);
    return keys.length;
  }

  /** Aborts multipart uploads under `prefix` started before `before` (at most 1000 a call); returns how many. */
  async abortUploads(prefix: string, before: Date): Promise<number> {
    let aborted = 0;
    const listing = await this.#client.send(new ListMultipartUploadsCommand({ Bucket: this.#bucket, Prefix: prefix }));
    for (const upload of listing.Uploads ?? []) {
      if (upload.Key === undefined || upload.UploadId === undefined || upload.Initiated === undefined || upload.Initiated >= before) continue;
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: upload.Key, UploadId: upload.UploadId }));
      aborted += 1;
    }
    return aborted;
  }

  async *#pages(prefix: string, delimiter: string | undefined): AsyncIterable<{ folders: string[]; objects: ObjectInfo[] }> {
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ...(delimiter ? { Delimiter: delimiter } : {}), ...(token ? { ContinuationToken: token } : {}) }),
      );
      yield {
        folders: (page.CommonPrefixes ?? []).map((common) => common.Prefix ?? ""),
        objects: (page.Contents ?? []).map((object) => ({ key: object.Key ?? "", size: object.Size ?? 0, etag: unquote(object.ETag), mtime: object.LastModified ?? new Date(0) })),
      };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
}

/** The HTTP status of an S3 error (403, 404, 412…), for callers that tell refusals apart. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/** 404 for the key, not for the bucket: a missing bucket is the operator's mistake, and says so. */
function isMissingKey(error: unknown): boolean {
  return statusOf(error) === 404 && !(error instanceof S3ServiceException && error.name === "NoSuchBucket");
}

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}
