import { promisify } from "node:util";
import { brotliCompress, brotliCompressSync, constants } from "node:zlib";

const brotliAsync = promisify(brotliCompress);

/** Segments up to this size are compressed on the event loop (at the quality segments use, 0 by default: ~0.1 ms at most). */
const SYNC_COMPRESS_BYTES = 32 * 1024;

/** zlib's default output chunk is 16 KiB: each costs a callback and a copy. */
const MIN_ASYNC_CHUNK_BYTES = 64 * 1024;

/** One log segment as Brotli at `quality`, in a buffer no bigger than it needs to be kept in. */
export async function compressSegment(bytes: Buffer, quality: number): Promise<Buffer> {
  // One output buffer that Brotli's worst case fits (BrotliEncoderMaxCompressedSize: n + 6 + 4·(n >> 14)):
  // zlib's default 16 KiB chunks cost a callback and a copy each. No larger: the stored body is a slice of
  // it and keeps all of it alive, and a fan-out's thousands of short logs would each pin 64 KiB until a
  // full GC (RSS +125 MB over 1,000 stages).
  const options = { chunkSize: bytes.length + 64 + (bytes.length >> 12), params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } };
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
