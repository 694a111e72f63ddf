/**
 * The artifact pages, under the artifacts base URL (default
 * `<EVE_PUBLIC_URL>/artifacts`), with Eve's URL shapes so existing scripts
 * keep working:
 *   /builds/<container>/<path>      a file (a folder: its listing)
 *   /download/<container>/<folder>/ a listing; ?format=text one level as text, ?format=txt every file
 *   /zip/<container>/<folder>       a folder as a zip (also ?format=zip on a listing)
 *   /last_success/<prefix>          302 to the listing of the last successful build's container
 *   /latest/<prefix>                the same, whatever the result
 * Every request names a repository (`<host>:<owner>:<repo>:…`): `authorize`
 * is the one place an access check goes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import { findLastContainer } from "../artifacts/find-last-container.js";
import { parseArtifactRequest, type ArtifactRequest } from "./parse-artifact-request.js";
import { renderListingHtml, renderListingText, LISTING_SECURITY_HEADERS } from "./render-listing.js";
import { sendArtifactFile } from "./send-artifact-file.js";
import { sendArtifactZip } from "./send-artifact-zip.js";

/** The repository an artifact request is about, from the container name (or lookup prefix). */
export interface ArtifactRepository {
  host: string;
  owner: string;
  repo: string;
  /** The container (or lookup prefix) the request names. */
  name: string;
}

/**
 * Decides whether the request may see the repository's artifacts. Resolve
 * true to go on; false once the hook has answered itself (401, 403, a
 * redirect to sign in).
 */
export type AuthorizeArtifacts = (req: IncomingMessage, res: ServerResponse, repository: ArtifactRepository) => Promise<boolean>;

export interface ArtifactPagesOptions {
  store: () => Promise<ArtifactStore>;
  /** URL path of the pages (the artifacts base URL's path), e.g. "/artifacts". */
  basePath: string;
  /** The access check; absent: artifacts are readable by whoever reaches the pages (Eve's artifacts service). */
  authorize?: AuthorizeArtifacts;
}

/** Probot's handler shape: true when the request was answered. */
export type ArtifactPagesHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function createArtifactPagesHandler(options: ArtifactPagesOptions): ArtifactPagesHandler {
  const base = options.basePath.replace(/\/+$/, "");
  return async (req, res) => {
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    if (!rawPath.startsWith(`${base}/`)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      answer(res, 405, "Artifact pages are read-only.\n", { allow: "GET, HEAD" });
      return true;
    }
    const parsed = parseArtifactRequest(rawPath.slice(base.length));
    if ("status" in parsed) {
      answer(res, parsed.status, `${parsed.message}\n`);
      return true;
    }
    const { request } = parsed;
    if (request.kind === "slash") {
      res.writeHead(301, { location: `${base}/${request.location}` });
      res.end();
      return true;
    }
    const name = request.kind === "lookup" ? request.prefix : request.container;
    const repository = getRepository(name);
    if (repository === undefined) {
      answer(res, 404, "No such container.\n");
      return true;
    }
    if (options.authorize && !(await options.authorize(req, res, repository))) return true;
    const query = new URLSearchParams(queryAt < 0 ? "" : rawUrl.slice(queryAt + 1));
    await serve(await options.store(), base, request, query, req, res);
    return true;
  };
}

async function serve(store: ArtifactStore, base: string, request: Exclude<ArtifactRequest, { kind: "slash" }>, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (request.kind === "lookup") {
    const found = await findLastContainer(store, request.prefix, { successful: request.successful, untrusted: false });
    if (found === undefined) return answer(res, 404, `No ${request.successful ? "successful " : ""}build's artifacts start with ${request.prefix}.\n`);
    res.writeHead(302, { location: `${base}/download/${encodeURIComponent(found.name)}/`, "cache-control": "no-store" });
    return void res.end();
  }
  const container = await store.getContainer(request.container);
  if (container === undefined) return answer(res, 404, "No such container: unknown or expired.\n");
  if (request.kind === "zip") return sendArtifactZip(store, request.container, request.path, res);
  if (!request.folder && request.path !== "") {
    const file = await store.statFile(request.container, request.path);
    if (file !== undefined) return sendArtifactFile(store, request.container, file, req, res);
  }
  const listing = await store.listFolder(request.container, request.path);
  if (listing.files.length === 0 && listing.folders.length === 0 && request.path !== "") return answer(res, 404, "No such file or folder.\n");
  const here = `${request.route}/${[request.container, ...(request.path === "" ? [] : request.path.split("/"))].map(encodeURIComponent).join("/")}/`;
  // A folder asked without its slash: relative links need it.
  if (!request.folder && request.path !== "") {
    res.writeHead(301, { location: `${base}/${here}` });
    return void res.end();
  }
  const format = query.get("format") ?? "html";
  if (format === "zip") return sendArtifactZip(store, request.container, request.path, res);
  if (format === "txt") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", ...LISTING_SECURITY_HEADERS });
    for await (const file of store.listFiles(request.container, request.path)) {
      if (!res.write(`${request.path === "" ? file.path : file.path.slice(request.path.length + 1)}\n`)) await new Promise((resolve) => res.once("drain", resolve));
    }
    return void res.end();
  }
  if (format === "text") return answer(res, 200, renderListingText(listing), { "content-type": "text/plain; charset=utf-8" });
  if (format !== "html") return answer(res, 400, "format must be html, text, txt or zip.\n");
  const zipUrl = `${base}/zip/${here.slice(here.indexOf("/") + 1)}`;
  answer(res, 200, renderListingHtml({ container: request.container, folder: request.path, listing, zipUrl }), { "content-type": "text/html; charset=utf-8" });
}

/** `<host>:<owner>:<repo>:…` → the repository; undefined for a name of another shape. */
export function getRepository(name: string): ArtifactRepository | undefined {
  const [host, owner, repo] = name.split(":");
  if (!host || !owner || !repo || name.split(":").length < 4) return undefined;
  return { host, owner, repo, name };
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...LISTING_SECURITY_HEADERS, ...headers });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
