/**
 * Serves one stored file: `ETag` and `If-None-Match` (304), one `Range`
 * (206, or 416 past the end), the type from the extension, and headers that
 * keep the file from acting as Eve: `nosniff`, and a sandbox CSP, so an
 * uploaded HTML or SVG page runs in an opaque origin and cannot reach Eve's.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { ArtifactRangeError } from "../artifacts/artifact-errors.js";
import type { ArtifactStore, ByteRange, FileInfo } from "../artifacts/artifact-store.js";
import { getContentType } from "./content-type.js";

/** Every stored file is served with these: build output is never Eve's own page. */
export const FILE_SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "sandbox allow-scripts allow-popups allow-downloads",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-site",
};

export async function sendArtifactFile(store: ArtifactStore, container: string, info: FileInfo, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const etag = `"${info.etag}"`;
  const common = { etag, "last-modified": info.mtime.toUTCString(), "accept-ranges": "bytes", "cache-control": "private, max-age=0, must-revalidate", ...FILE_SECURITY_HEADERS };
  if (matchesEtag(req.headers["if-none-match"], etag)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const range = readRange(req, etag, info.size);
  if (range === "unsatisfiable") {
    res.writeHead(416, { ...common, "content-range": `bytes */${info.size}` });
    res.end();
    return;
  }
  const headers: Record<string, string | number> = { ...common, "content-type": getContentType(info.path) };
  if (range === undefined) {
    headers["content-length"] = info.size;
    res.writeHead(200, headers);
  } else {
    const end = range.end ?? info.size - 1;
    headers["content-length"] = end - range.start + 1;
    headers["content-range"] = `bytes ${range.start}-${end}/${info.size}`;
    res.writeHead(206, headers);
  }
  if (req.method === "HEAD" || info.size === 0) {
    res.end();
    return;
  }
  let body;
  try {
    ({ body } = await store.readFile(container, info.path, range));
  } catch (error) {
    if (error instanceof ArtifactRangeError) return void res.destroy();
    throw error;
  }
  // A client that goes away ends the pipeline: nothing to report.
  await pipeline(body, res).catch(() => undefined);
}

function matchesEtag(header: string | string[] | undefined, etag: string): boolean {
  if (typeof header !== "string") return false;
  return header.trim() === "*" || header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === etag);
}

/** One `bytes=` range of RFC 9110; several ranges, bad syntax or a stale `If-Range` → the whole file. */
function readRange(req: IncomingMessage, etag: string, size: number): ByteRange | "unsatisfiable" | undefined {
  const header = req.headers.range;
  if (typeof header !== "string") return undefined;
  const ifRange = req.headers["if-range"];
  if (typeof ifRange === "string" && ifRange !== etag) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return undefined;
  return { start, end };
}
