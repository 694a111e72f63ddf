/**
 * Writes a stream of unknown length to a new file with as few system calls as it can: a small body
 * (the common case: thousands of small files in one upload) is gathered and written at once; a
 * large one streams through in 1 MiB writes, never held whole in memory.
 */
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ArtifactLimitError } from "./artifact-errors.js";

/** Bodies up to this size are written in one go (and at most this much is held per put). */
const SMALL_BYTES = 1024 * 1024;
const WRITE_CHUNK_BYTES = 1024 * 1024;

export interface WriteBodyOptions {
  /** For messages. */
  path: string;
  /** File mode of the new file. */
  mode: number;
  /** More bytes than this fail with ArtifactLimitError; nothing of the extra chunk is written. */
  maxBytes: number;
  /** Sees every chunk in order (hashing). */
  onChunk?: (chunk: Buffer) => void;
  signal?: AbortSignal | undefined;
}

/**
 * Writes `body` to `file` (which must not exist) and returns its size. On any failure (limit, abort,
 * the body's own error) the body is ended (a Readable destroyed) and the error thrown; the caller
 * removes the partial file.
 */
export async function writeBodyToFile(body: Readable | AsyncIterable<Uint8Array>, file: string, options: WriteBodyOptions): Promise<number> {
  const iterator = body[Symbol.asyncIterator]();
  let bytes = 0;
  const take = (chunk: Uint8Array): Buffer => {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    bytes += buffer.length;
    if (bytes > options.maxBytes) throw new ArtifactLimitError(`${options.path}: more than ${options.maxBytes} bytes, over the artifacts limit; not stored`);
    options.onChunk?.(buffer);
    return buffer;
  };
  const { signal } = options;
  const onAbort = (): void => void iterator.return?.();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const head: Buffer[] = [];
    let headBytes = 0;
    while (headBytes < SMALL_BYTES) {
      signal?.throwIfAborted();
      const next = await iterator.next();
      signal?.throwIfAborted();
      if (next.done === true) {
        // One chunk (a stored log segment, most small files) is written as it is: no copy of it to collect.
        await writeFile(file, head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head, headBytes), { flag: "wx", mode: options.mode });
        return bytes;
      }
      const chunk = take(next.value);
      head.push(chunk);
      headBytes += chunk.length;
    }
    async function* rest(): AsyncGenerator<Buffer> {
      yield* head.splice(0);
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield take(next.value);
    }
    await pipeline(rest(), createWriteStream(file, { flags: "wx", mode: options.mode, highWaterMark: WRITE_CHUNK_BYTES }), ...(signal ? [{ signal }] : []));
    return bytes;
  } catch (error) {
    await iterator.return?.();
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
