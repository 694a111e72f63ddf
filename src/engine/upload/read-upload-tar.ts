/**
 * Reads the tar stream an `Upload` gets from its worker, entry by entry, and
 * stores each regular file as it arrives (never a whole file in memory). The
 * stream is untrusted: a name that is absolute, has a `..` segment or a NUL is
 * refused (the worker's tar would never write one) and fails the step; links,
 * devices and fifos are not files and are refused with a line in the log,
 * except hard links to a file stored earlier, which are stored again.
 */
import type { Readable } from "node:stream";
import { extract, type Header } from "tar-stream";
import { ArtifactNameError } from "../../artifacts/artifact-errors.js";
import { validateArtifactPath } from "../../artifacts/validate-artifact-name.js";

/** Where the files go: one upload into the build's container. */
export interface UploadTarget {
  /** Stores one file from a stream; rejects when it cannot (limits, store failure). */
  put(path: string, body: AsyncIterable<Uint8Array>): Promise<{ path: string; size: number }>;
  /** The bytes of a file stored earlier in this upload (for hard links in the archive). */
  read(path: string): Promise<Readable>;
}

export interface UploadTarReport {
  /** Paths stored, in archive order, relative to the source. */
  stored: string[];
  bytes: number;
  /** Entries whose names could not come from an honest tar: the step fails. */
  hostile: number;
}

export interface UploadTarReader {
  /** Feeds a chunk of the worker's stdout; resolves when the reader can take more. */
  write(chunk: Buffer): Promise<void>;
  /** The stream ended: resolves once every entry is stored; rejects on a malformed archive or a store failure. */
  end(): Promise<UploadTarReport>;
  /** Set once reading failed (the producer should be stopped). */
  readonly error: Error | undefined;
}

/** A malformed archive (truncated, bad header). */
export class UploadArchiveError extends Error {
  override readonly name = "UploadArchiveError";
}

/**
 * How far the worker's stream may run ahead of the store: while the store writes one file, the
 * worker keeps reading and sending the next ones (both sides busy) instead of waiting per 64 KB
 * chunk. Bounds the memory one upload holds on Eve.
 */
const READ_AHEAD_BYTES = 4 * 1024 * 1024;

export function createUploadTarReader(target: UploadTarget, log: (line: string) => void): UploadTarReader {
  const report: UploadTarReport = { stored: [], bytes: 0, hostile: 0 };
  const stored = new Set<string>();
  const parser = extract({ highWaterMark: READ_AHEAD_BYTES });
  let failure: Error | undefined;
  let drained: Promise<void> | undefined;
  const closed = new Promise<void>((resolve) => parser.once("close", () => resolve()));
  parser.on("error", (error: Error) => {
    // An entry's own failure (a limit, the store) is kept as it is; any other is the archive's.
    failure ??= new UploadArchiveError(`the worker sent a malformed archive: ${error.message}`, { cause: error });
  });

  parser.on("entry", (header, stream, next) => {
    // tar-stream's entry streams yield Buffers (typed unknown by streamx).
    handleEntry(header, stream as AsyncIterable<Uint8Array>).then(
      () => next(),
      (error: unknown) => {
        const cause = error instanceof Error ? error : new Error(String(error));
        failure ??= cause;
        next(cause);
      },
    );
  });

  async function handleEntry(header: Header, stream: AsyncIterable<Uint8Array>): Promise<void> {
    const named = readEntryName(header.name, header.type === "directory");
    if ("hostile" in named) {
      report.hostile += 1;
      log(`Refused ${JSON.stringify(header.name)}: ${named.hostile}`);
      return drain(stream);
    }
    const path = named.path;
    if (path === "" || header.type === "directory") return drain(stream);
    const refused = refuseByStore(path);
    if (refused !== undefined) {
      log(`Refused ${JSON.stringify(path)}: ${refused}`);
      return drain(stream);
    }
    if (header.type === "file" || header.type === "contiguous-file") {
      const info = await target.put(path, chunksOf(stream));
      return record(info);
    }
    await drain(stream);
    if (header.type === "link") {
      const linked = readEntryName(header.linkname, false);
      if ("path" in linked && stored.has(linked.path)) return record(await target.put(path, await target.read(linked.path)));
      log(`Refused ${JSON.stringify(path)}: a hard link to ${JSON.stringify(header.linkname)}, which is not a file of this upload`);
      return;
    }
    log(`Refused ${JSON.stringify(path)}: ${header.type === "symlink" ? `a symbolic link to ${JSON.stringify(header.linkname)}, not followed` : `not a regular file (${header.type})`}`);
  }

  function record(info: { path: string; size: number }): void {
    if (!stored.has(info.path)) report.stored.push(info.path);
    stored.add(info.path);
    report.bytes += info.size;
  }

  return {
    async write(chunk) {
      if (failure) return;
      if (parser.write(chunk)) return;
      // Writers overlap (the exec keeps a few chunks in flight): they share one wait.
      drained ??= Promise.race([new Promise<void>((resolve) => parser.once("drain", () => resolve())), closed]).finally(() => (drained = undefined));
      await drained;
    },
    async end() {
      if (!failure) parser.end(undefined);
      await closed;
      if (failure) throw failure;
      return report;
    },
    get error() {
      return failure;
    },
  };
}

/**
 * An entry's path relative to the source: `./` prefixes and a directory's
 * trailing `/` removed. Absolute names, `..` segments and NULs are hostile.
 */
export function readEntryName(raw: string, directory: boolean): { path: string } | { hostile: string } {
  if (raw.includes("\0")) return { hostile: "the name contains a NUL" };
  if (raw.startsWith("/")) return { hostile: "the name is absolute" };
  let name = raw;
  while (name.startsWith("./")) name = name.slice(2);
  if (name === ".") name = "";
  if (directory && name.endsWith("/")) name = name.slice(0, -1);
  const segments = name === "" ? [] : name.split("/");
  if (segments.includes("..")) return { hostile: "the name has a '..' segment" };
  return { path: segments.filter((segment) => segment !== ".").join("/") };
}

/** Names an honest tar may write but the store does not keep (a backslash, a control character, too long). */
function refuseByStore(path: string): string | undefined {
  try {
    validateArtifactPath(path);
    return undefined;
  } catch (error) {
    if (error instanceof ArtifactNameError) return error.message;
    throw error;
  }
}

/**
 * The entry's bytes as a plain async iterable: Node's `pipeline` takes a
 * streamx stream for a Node stream and never sees it end when the archive
 * is cut short; an iterator rejects, so the store gives up the file.
 */
async function* chunksOf(stream: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of stream) yield chunk;
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _chunk of stream) {
    // Skipped content.
  }
}
