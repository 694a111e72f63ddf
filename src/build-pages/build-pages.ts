/**
 * HTTP handlers of the build pages under EVE_PUBLIC_URL:
 *   /builds/<build>          the build: facts, stage graph, timeline, runs
 *   /builds/<build>/events   server-sent events while it runs (`update`, then `end`)
 *   /repos/<owner>/<repo>    the repository's recent builds per branch (?branch=)
 * A build id never holds ':', an artifacts container name always does: these
 * routes cannot take an artifact page's `/builds/<container>/…`, whatever the
 * artifacts base URL. Every page goes through `authorize` (src/access/).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Redis } from "ioredis";
import { getBuildAccess, getRepositoryAccess, type PageTarget } from "../access/run-access-record.js";
import type { BuildHistory } from "../queue/build-history.js";
import { BUILD_PAGE_SCRIPT } from "./build-page-script.js";
import { buildView } from "./build-view.js";
import { PAGE_SECURITY_HEADERS } from "./page-html.js";
import { renderBuildPage, renderLive, renderStatus } from "./render-build-page.js";
import { renderRepositoryPage } from "./render-repository-page.js";

export interface BuildPagesOptions {
  history: BuildHistory;
  /**
   * The access guard (src/access/page-access.ts) for a build's or a
   * repository's pages: true to serve; false once it answered.
   */
  authorize(req: IncomingMessage, res: ServerResponse, page: BuildPage): Promise<boolean>;
  /** How often a live page's stream looks for changes (default 1 s). */
  pollMs?: number;
  /** Live followers at once; more get 503 (default 200). */
  maxFollowers?: number;
  now?: () => number;
}

export type BuildPagesHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** A build or repository page. */
export type BuildPage = { build: string } | { owner: string; repo: string };

/**
 * The access record a page is judged by: a build's own (recorded when its
 * runs were queued), or for a repository page its latest build's privacy with
 * an identity no build token names (a build's token opens that build only).
 */
export async function getBuildPageTarget(redis: Redis, prefix: string, page: BuildPage): Promise<PageTarget | undefined> {
  return "build" in page ? getBuildAccess(redis, prefix, page.build) : getRepositoryAccess(redis, prefix, page.owner, page.repo, `repository:${page.owner}/${page.repo}`);
}

const BUILD_ROUTE = /^\/builds\/([A-Za-z0-9][A-Za-z0-9_-]{0,99})(\/events)?\/?$/;
const REPOSITORY_ROUTE = /^\/repos\/([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})\/?$/;
const SCRIPT_PATH = "/builds/_/build-page.js";
/** Builds read for a repository page. */
const REPOSITORY_BUILDS = 300;
/** Builds shown on it. */
const SHOWN_BUILDS = 60;
/** A running build's page is sent again at least this often, so running bars grow. */
const REFRESH_MS = 5_000;

export function createBuildPagesHandler(options: BuildPagesOptions): BuildPagesHandler {
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 1000;
  const maxFollowers = options.maxFollowers ?? 200;
  let followers = 0;
  const links = {
    log: (run: string) => `/logs/${run}`,
    repository: (owner: string, repo: string) => `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`,
    script: SCRIPT_PATH,
  };

  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = new URL(req.url ?? "/", "http://eve");
    if (url.pathname === SCRIPT_PATH) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=300", ...PAGE_SECURITY_HEADERS });
      res.end(BUILD_PAGE_SCRIPT);
      return true;
    }
    const build = BUILD_ROUTE.exec(url.pathname);
    if (build) {
      const id = build[1] as string;
      if (!(await options.authorize(req, res, { build: id }))) return true;
      const record = await options.history.get(id);
      if (!record) return text(res, 404, "No such build on record: unknown, or older than EVE_BUILD_HISTORY_DAYS.\n");
      if (build[2] === undefined) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...PAGE_SECURITY_HEADERS });
        res.end(renderBuildPage(record, now(), links));
        return true;
      }
      if (followers >= maxFollowers) return text(res, 503, "Too many live build pages; try again shortly.\n");
      followers++;
      try {
        await sendBuildEvents(options.history, id, req, res, { pollMs, now, links });
      } finally {
        followers--;
      }
      return true;
    }
    const repository = REPOSITORY_ROUTE.exec(url.pathname);
    if (repository) {
      const [owner, repo] = [repository[1] as string, repository[2] as string];
      if (!(await options.authorize(req, res, { owner, repo }))) return true;
      const records = await options.history.recentBuilds(owner, repo, REPOSITORY_BUILDS);
      const branch = url.searchParams.get("branch") || undefined;
      const branches = [...new Set(records.map((record) => record.info.branch))].sort();
      const shown = records.filter((record) => branch === undefined || record.info.branch === branch).slice(0, SHOWN_BUILDS);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...PAGE_SECURITY_HEADERS });
      res.end(renderRepositoryPage({ owner, repo, builds: shown, branches, branch, buildUrl: (id) => `/builds/${id}`, now: now() }));
      return true;
    }
    return false;
  };
}

/**
 * Polls the build's version (one HGET) and sends the live part again when it
 * moved, or every few seconds while stages run; `end` once every run ended.
 */
async function sendBuildEvents(
  history: BuildHistory,
  build: string,
  req: IncomingMessage,
  res: ServerResponse,
  options: { pollMs: number; now: () => number; links: { log(run: string): string } },
): Promise<void> {
  let open = true;
  const stop = () => {
    open = false;
  };
  req.once("close", stop);
  res.once("close", stop);
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no", connection: "keep-alive" });
  res.write("retry: 2000\n\n");
  let sentVersion = -1;
  let sentAt = 0;
  try {
    while (open) {
      const version = await history.version(build);
      if (version !== sentVersion || options.now() - sentAt >= REFRESH_MS) {
        const record = await history.get(build);
        if (!record) break;
        const now = options.now();
        const view = buildView(record, now);
        const data = JSON.stringify({ live: renderLive(view, now, options.links), status: renderStatus(view), ended: view.ended });
        res.write(`event: ${view.ended ? "end" : "update"}\ndata: ${data}\n\n`);
        if (view.ended) break;
        sentVersion = record.version;
        sentAt = now;
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
  } catch {
    // Redis failed mid-stream: end it; the browser's EventSource reconnects.
  } finally {
    req.off("close", stop);
    res.end();
  }
}

function text(res: ServerResponse, status: number, body: string): true {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...PAGE_SECURITY_HEADERS });
  res.end(body);
  return true;
}
