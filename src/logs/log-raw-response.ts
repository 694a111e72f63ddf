import type { IncomingMessage, ServerResponse } from "node:http";
import { parseRangeHeader } from "./log-range.js";
import type { LogReader, ReadableLogView } from "./log-reader.js";

/**
 * `/raw`: the whole log as plain text, or the byte range asked for (206,
 * Content-Range), read from the store's segments and Redis' live part.
 * Streamed with back-pressure; a live log's size is its size now.
 */
export async function sendLogText(req: IncomingMessage, res: ServerResponse, reader: LogReader, run: string, view: ReadableLogView): Promise<void> {
  const headers = {
    "content-type": "text/plain; charset=utf-8",
    "content-disposition": `attachment; filename="${run}.log"`,
    "cache-control": "no-store",
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
  };
  const range = parseRangeHeader(req.headers.range, view.bytes);
  if (range === "unsatisfiable") {
    res.writeHead(416, { ...headers, "content-range": `bytes */${view.bytes}` });
    res.end();
    return;
  }
  const { start, end } = range === "whole" ? { start: 0, end: view.bytes } : range;
  if (range === "whole") res.writeHead(200, { ...headers, "content-length": String(view.bytes) });
  else res.writeHead(206, { ...headers, "content-length": String(end - start), "content-range": `bytes ${start}-${end - 1}/${view.bytes}` });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  for await (const chunk of reader.read(run, view, start, end)) {
    if (!res.write(chunk)) await drained(res);
    if (res.destroyed) return;
  }
  res.end();
}

/** Waits until a slow client has taken what was written, or has gone. */
export function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
