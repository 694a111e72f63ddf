import type { IncomingMessage, ServerResponse } from "node:http";
import { KeptLogStore } from "./kept-log-store.js";
import { LOG_PAGE_SCRIPT, renderLogPage } from "./log-page-assets.js";
import { SharedEntryEvents, sendEvents } from "./log-events-response.js";
import { sendLogText } from "./log-raw-response.js";
import { LogReader, type LogView, type ReadableLogView } from "./log-reader.js";
import { sendSearchResults } from "./log-search-response.js";
import type { RedisLogStore } from "./redis-log-store.js";

export interface LogPageOptions {
  /** Redis for the live part, and (a KeptLogStore) the artifact store for the whole log. */
  logStore: KeptLogStore | RedisLogStore;
  /** Where the pages live (default "/logs"): `<base>/<run>` and its `/raw`, `/meta`, `/search` and `/events`. */
  basePath?: string;
  /** Live followers served at once; more get 503 (each holds a Redis connection). Default 200. */
  maxFollowers?: number;
  /** Searches run at once; more get 503 (each may read a whole log). Default 4. */
  maxSearches?: number;
  /** Comment line sent to keep idle event streams open through proxies (default 15 s). */
  heartbeatMs?: number;
  /**
   * Who may see a run's pages (src/access/page-access.ts): true to serve it;
   * false when it answered itself (sign-in redirect, 403, 404). Without it every
   * page is open (tests of the page itself; the app always passes one).
   */
  authorize?: (req: IncomingMessage, res: ServerResponse, run: string) => Promise<boolean>;
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
  const route = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/${RUN}(/raw|/events|/meta|/search)?/?$`);
  const reader = options.logStore instanceof KeptLogStore ? new LogReader(options.logStore.redis, options.logStore.archive) : new LogReader(options.logStore, undefined);
  const maxFollowers = options.maxFollowers ?? 200;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  let followers = 0;
  const shared = new SharedEntryEvents();
  const maxSearches = options.maxSearches ?? 4;
  let searches = 0;

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
    if (options.authorize && !(await options.authorize(req, res, run))) return true;
    let view: LogView;
    try {
      view = await reader.view(run);
    } catch {
      res.writeHead(503, { "retry-after": "10", "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end("The log store cannot be read just now; try again shortly.\n");
      return true;
    }
    if (view.state === "missing") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end("No log for this run: unknown, or not started yet.\n");
      return true;
    }
    if (view.state === "expired") {
      res.writeHead(410, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end(`This log expired on ${view.expiredAt}: Eve keeps stage logs for EVE_LOG_RETENTION_DAYS days after the stage ends.\n`);
      return true;
    }
    if (match[2] === "/raw") await sendLogText(req, res, reader, run, view);
    else if (match[2] === "/meta") sendMeta(res, view);
    else if (match[2] === "/search") {
      if (searches >= maxSearches) {
        res.writeHead(503, { "retry-after": "5", "content-type": "text/plain; charset=utf-8" });
        res.end("Too many log searches at once; try again shortly.\n");
        return true;
      }
      searches++;
      try {
        await sendSearchResults(req, res, reader, run, view);
      } finally {
        searches--;
      }
    }
    else if (match[2] === "/events") {
      if (followers >= maxFollowers) {
        res.writeHead(503, { "retry-after": "10", "content-type": "text/plain; charset=utf-8" });
        res.end("Too many live log viewers; try again shortly.\n");
        return true;
      }
      followers++;
      try {
        await sendEvents(options.logStore, reader, shared, run, view, req, res, heartbeatMs);
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

/** What the page needs to place itself: the log's size so far, its steps, its end. */
function sendMeta(res: ServerResponse, view: ReadableLogView): void {
  const { segments: _segments, storedBytes: _storedBytes, newestEntry: _newestEntry, ...meta } = view;
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...SECURITY_HEADERS });
  res.end(JSON.stringify(meta));
}
