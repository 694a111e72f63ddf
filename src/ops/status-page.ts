/**
 * The operator page, `/status`: queues per worker type, running stages,
 * live worker processes, the reaper's last sweep and the GitHub write
 * backlog. It keeps no numbers of its own: it collects what a Prometheus
 * scrape collects and reads the metrics registry. For the operator only:
 * EVE_STATUS_TOKEN as `Authorization: Bearer <token>`, or once as
 * `?token=<token>`, which sets an HttpOnly cookie (holding a digest of the
 * token, not the token) and redirects to the bare URL so the token leaves
 * the address bar and the history.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readCookie, serializeCookie } from "../access/cookies.js";
import { PAGE_SECURITY_HEADERS } from "../build-pages/page-html.js";
import type { EveMetrics } from "./eve-metrics.js";
import { renderStatusPage, type MetricJson } from "./render-status-page.js";

export interface StatusPageOptions {
  /** EVE_STATUS_TOKEN; undefined: the page answers 403. */
  token: string | undefined;
  metrics: EveMetrics;
  /** Reads the cluster-wide numbers into the metrics (what a scrape does first). */
  collect(): Promise<void>;
  /** Secure cookie when Eve is served over HTTPS. */
  secure: boolean;
  now?: () => number;
}

export const STATUS_PATH = "/status";
const STATUS_COOKIE = "eve_status";
const COOKIE_SEC = 8 * 3600;

export function createStatusPageHandler(options: StatusPageOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const now = options.now ?? Date.now;
  const digest = options.token === undefined ? undefined : digestOf(options.token);
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = new URL(req.url ?? "/", "http://eve");
    if (url.pathname !== STATUS_PATH && url.pathname !== `${STATUS_PATH}/`) return false;
    if (digest === undefined) return text(res, 403, "The operator page is off: set EVE_STATUS_TOKEN to turn it on.\n");
    const given = url.searchParams.get("token");
    if (given !== null) {
      if (!same(digestOf(given), digest)) return text(res, 401, "Wrong token.\n");
      res.writeHead(303, { location: STATUS_PATH, "set-cookie": serializeCookie(STATUS_COOKIE, digest, { maxAgeSec: COOKIE_SEC, secure: options.secure }), "cache-control": "no-store" });
      res.end();
      return true;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const allowed = (bearer !== undefined && same(digestOf(bearer), digest)) || same(readCookie(req, STATUS_COOKIE) ?? "", digest);
    if (!allowed) {
      res.writeHead(401, { "www-authenticate": 'Bearer realm="eve-status"', "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...PAGE_SECURITY_HEADERS });
      res.end("The operator page needs EVE_STATUS_TOKEN: as `Authorization: Bearer <token>`, or open /status?token=<token> once.\n");
      return true;
    }
    // A scrape's collection failing (Redis down) still shows what this process knows.
    const problem = await options.collect().then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    const metrics = (await (await options.metrics.gather()).getMetricsAsJSON()) as unknown as MetricJson[];
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...PAGE_SECURITY_HEADERS });
    res.end(renderStatusPage(metrics, now(), problem));
    return true;
  };
}

function digestOf(token: string): string {
  return createHash("sha256").update(`eve-status:${token}`).digest("hex");
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function text(res: ServerResponse, status: number, body: string): true {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...PAGE_SECURITY_HEADERS });
  res.end(body);
  return true;
}
