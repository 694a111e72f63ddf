/** Counts the bytes flowing to a store and stops the flow as soon as a limit is passed. */
import { Transform } from "node:stream";
import { ArtifactLimitError } from "./artifact-errors.js";

export interface ByteMeter {
  stream: Transform;
  /** Bytes that went through so far. */
  bytes(): number;
}

/**
 * A pass-through that counts bytes, shows each chunk to `onChunk` (hashing), and fails with an
 * ArtifactLimitError on the chunk that takes it past `maxBytes`: that chunk is never written.
 */
export function createByteMeter(path: string, maxBytes = Number.POSITIVE_INFINITY, onChunk?: (chunk: Buffer) => void): ByteMeter {
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        callback(new ArtifactLimitError(`${path}: more than ${maxBytes} bytes, over the artifacts limit; not stored`));
        return;
      }
      onChunk?.(chunk);
      callback(null, chunk);
    },
  });
  return { stream, bytes: () => bytes };
}
