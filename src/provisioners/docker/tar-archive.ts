/**
 * A minimal POSIX tar writer for build contexts: directories and regular
 * files only (build contexts refuse links), long names through pax headers.
 * Written here so the context sent to the engine is exactly the list of
 * files Eve hashed, with the Dockerfile placed wherever the build needs it.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";

export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, no leading `/`. */
  name: string;
  type: "file" | "directory";
  /** Host file to read (files only). */
  source?: string;
  /** The file's content, instead of a host file. */
  content?: Buffer;
  size: number;
  mode: number;
  mtimeMs: number;
}

const BLOCK = 512;

export function createTarArchive(entries: readonly ArchiveEntry[]): Readable {
  return Readable.from(generate(entries));
}

async function* generate(entries: readonly ArchiveEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const name = entry.type === "directory" ? `${entry.name}/` : entry.name;
    const size = entry.type === "file" ? entry.size : 0;
    const pax: string[] = [];
    if (Buffer.byteLength(name) > 100) pax.push(paxRecord("path", name));
    if (size > 0o77777777777) pax.push(paxRecord("size", String(size)));
    if (pax.length > 0) {
      const body = Buffer.from(pax.join(""));
      yield header({ name: "PaxHeader", size: body.length, mode: 0o644, mtimeMs: entry.mtimeMs, typeflag: "x" });
      yield padded(body);
    }
    yield header({ name, size, mode: entry.mode, mtimeMs: entry.mtimeMs, typeflag: entry.type === "file" ? "0" : "5" });
    if (entry.type === "file" && entry.content !== undefined) {
      yield padded(entry.content);
    } else if (entry.type === "file" && entry.source !== undefined) {
      let read = 0;
      for await (const chunk of createReadStream(entry.source)) {
        read += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (read !== size) throw new Error(`${entry.source} changed while the build context was sent`);
      if (size % BLOCK !== 0) yield Buffer.alloc(BLOCK - (size % BLOCK));
    }
  }
  yield Buffer.alloc(BLOCK * 2);
}

function header(fields: { name: string; size: number; mode: number; mtimeMs: number; typeflag: string }): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(Buffer.byteLength(fields.name) > 100 ? fields.name.slice(0, 100) : fields.name, 0, 100);
  octal(block, 100, 8, fields.mode & 0o7777);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, fields.size > 0o77777777777 ? 0 : fields.size);
  octal(block, 136, 12, Math.floor(fields.mtimeMs / 1000));
  block.write("        ", 148);
  block.write(fields.typeflag, 156);
  block.write("ustar\u000000", 257);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148);
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, "0")}\u0000`, offset);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (Buffer.byteLength(`${length}${body}`) !== length) length += 1;
  return `${length}${body}`;
}

function padded(body: Buffer): Buffer {
  const rest = body.length % BLOCK;
  return rest === 0 ? body : Buffer.concat([body, Buffer.alloc(BLOCK - rest)]);
}
