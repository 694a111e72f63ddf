import type { IncomingMessage, ServerResponse } from "node:http";
import { drained } from "./log-raw-response.js";
import type { LogReader, ReadableLogView } from "./log-reader.js";
import { searchLog } from "./log-search.js";

const MAX_QUERY = 200;
const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;

/**
 * `/search?q=TEXT` (or `?errors=1`) `[&limit=N][&from=BYTE]`: the matching
 * lines as they are found, one JSON object per line (`{"offset","line"}`),
 * then `{"done":true,"scanned":BYTES,"more":BOOL}`. The log is read segment
 * by segment, so the first matches come at once even in a large log.
 */
export async function sendSearchResults(req: IncomingMessage, res: ServerResponse, reader: LogReader, run: string, view: ReadableLogView): Promise<void> {
  const params = new URL(req.url ?? "/", "http://localhost").searchParams;
  const query = params.get("errors") === "1" ? "errors" : (params.get("q") ?? "");
  if (query === "" || query.length > MAX_QUERY) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
    res.end(`Give q (1 to ${MAX_QUERY} characters) or errors=1.\n`);
    return;
  }
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number(params.get("limit")) || DEFAULT_LIMIT));
  const start = Math.min(view.bytes, Math.max(0, Number(params.get("from")) || 0));
  res.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
  const controller = new AbortController();
  res.once("close", () => controller.abort());
  let found = 0;
  let scanned = start;
  for await (const match of searchLog(counted(reader.read(run, view, start, view.bytes), (bytes) => (scanned += bytes), controller.signal), { query, limit, start })) {
    found++;
    if (!res.write(`${JSON.stringify(match)}\n`)) await drained(res);
    if (controller.signal.aborted) return;
  }
  res.end(`${JSON.stringify({ done: true, scanned: scanned - start, more: found >= limit })}\n`);
}

/** The chunks, counted; stops reading when the client has gone. */
async function* counted(chunks: AsyncIterable<Buffer>, count: (bytes: number) => void, signal: AbortSignal): AsyncIterable<Buffer> {
  for await (const chunk of chunks) {
    if (signal.aborted) return;
    count(chunk.length);
    yield chunk;
  }
}
