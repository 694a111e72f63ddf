import type { IncomingMessage, ServerResponse } from "node:http";
import { LOG_PAGE_SCRIPT, renderLogPage } from "./log-page-assets.js";
import { LOG_START, type LogEnd, type LogRecord, type LogStore } from "./log-store.js";

export interface LogPageOptions {
  logStore: LogStore;
  /** Where the pages live (default "/logs"): `<base>/<run>`, `<base>/<run>/raw`, `<base>/<run>/events`. */
  basePath?: string;
  /** Live followers served at once; more get 503 (each holds a Redis connection). Default 200. */
  maxFollowers?: number;
  /** Comment line sent to keep idle event streams open through proxies (default 15 s). */
  heartbeatMs?: number;
}

/** Probot's `Handler` shape: true when the request was answered. */
export type LogPageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

// Run ids are Eve's own (uuid-like). Anything else is not a run: no lookup, no echo.
const RUN = "([A-Za-z0-9][A-Za-z0-9._:-]{0,199})";
const SCRIPT_PATH = "/_/log-page.js";

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * HTTP handlers of the log page. Mount on Probot's server with
 * `options.addHandler(createLogPageHandler({ logStore }))` in the app
 * function (or `server.addHandler`); on a plain `http` server, answer 404
 * when it resolves false. The text was secret-masked by the engine before
 * it was stored; the page shows nothing else.
 */
export function createLogPageHandler(options: LogPageOptions): LogPageHandler {
  const base = (options.basePath ?? "/logs").replace(/\/$/, "");
  const route = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/${RUN}(/raw|/events)?/?$`);
  const maxFollowers = options.maxFollowers ?? 200;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  let followers = 0;

  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === base + SCRIPT_PATH) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=300", ...SECURITY_HEADERS });
      res.end(LOG_PAGE_SCRIPT);
      return true;
    }
    const match = route.exec(path);
    if (!match) return false;
    const run = match[1] as string;
    const first = await options.logStore.read(run, LOG_START, 1);
    if (!first.exists) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end("No log for this run: unknown, not started yet, or expired.\n");
      return true;
    }
    if (match[2] === "/raw") await sendRaw(options.logStore, run, res);
    else if (match[2] === "/events") {
      if (followers >= maxFollowers) {
        res.writeHead(503, { "retry-after": "10", "content-type": "text/plain; charset=utf-8" });
        res.end("Too many live log viewers; try again shortly.\n");
        return true;
      }
      followers++;
      try {
        await sendEvents(options.logStore, run, req, res, heartbeatMs);
      } finally {
        followers--;
      }
    } else {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...SECURITY_HEADERS });
      res.end(renderLogPage(run, { script: base + SCRIPT_PATH, raw: `${base}/${run}/raw` }));
    }
    return true;
  };
}

/** The whole stored log as text, streamed page by page (bounded memory). */
async function sendRaw(logStore: LogStore, run: string, res: ServerResponse): Promise<void> {
  res.writeHead(200, {
    "content-type": "text/plain; charset=utf-8",
    "content-disposition": `attachment; filename="${run}.log"`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  let cursor = LOG_START;
  for (;;) {
    const page = await logStore.read(run, cursor, 200);
    if (page.entries.length === 0) break;
    cursor = page.cursor;
    const text = page.entries.flatMap((entry) => entry.records.map(recordAsText)).join("");
    if (!res.write(text)) await drained(res);
    if (res.destroyed) return;
  }
  res.end();
}

/** Waits until a slow client has taken what was written, or has gone. */
function drained(res: ServerResponse): Promise<void> {
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

function recordAsText(record: LogRecord): string {
  switch (record.kind) {
    case "text":
      return record.text;
    case "step":
      return `\n── step ${record.index + 1}: ${record.name} ──\n`;
    case "info":
      return `${record.line}\n`;
    case "link":
      return `${record.name}: ${record.url}\n`;
    case "truncated":
      return `\n… ${record.note} …\n`;
    case "end":
      return `\n── ${endText(record.end)} ──\n`;
  }
}

/** "failure: exited 1"; stage summaries that already start with their result ("failure: step 'x' exited 3", "success") are not prefixed twice. */
function endText(end: LogEnd): string {
  return end.summary === "" ? end.result : end.summary.startsWith(end.result) ? end.summary : `${end.result}: ${end.summary}`;
}

/**
 * Server-sent events: `records` events (JSON arrays of records, `id` = the
 * cursor, so a reconnecting EventSource resumes via Last-Event-ID), then one
 * `end` event with the result, then the stream closes.
 */
async function sendEvents(logStore: LogStore, run: string, req: IncomingMessage, res: ServerResponse, heartbeatMs: number): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  req.once("close", stop);
  res.once("close", stop);
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no", connection: "keep-alive" });
  res.write("retry: 2000\n\n");
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
  const lastEventId = req.headers["last-event-id"];
  const cursor = typeof lastEventId === "string" && /^\d+-\d+$/.test(lastEventId) ? lastEventId : LOG_START;
  try {
    for await (const entry of logStore.follow(run, cursor, controller.signal)) {
      const records = entry.records.filter((record) => record.kind !== "end");
      const end = entry.records.find((record) => record.kind === "end");
      // The id goes on the entry's last event: a browser that reconnects resumes after what it has seen whole.
      let events = records.length > 0 ? `${end ? "" : `id: ${entry.id}\n`}event: records\ndata: ${JSON.stringify(records)}\n\n` : "";
      if (end) events += `id: ${entry.id}\nevent: end\ndata: ${JSON.stringify(end.end)}\n\n`;
      if (events !== "" && !res.write(events)) await drained(res);
    }
  } catch {
    // The store failed mid-stream: end the stream; the browser's EventSource reconnects from the last id.
  } finally {
    clearInterval(heartbeat);
    req.off("close", stop);
    res.end();
  }
}
