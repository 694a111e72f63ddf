/**
 * Who may see a build's pages (log page, raw log, live events; artifact and
 * build pages call the same guard). A public repository's pages are open. A
 * private repository's pages open to:
 * - a worker holding the build's token (build-access-token.ts), for its build;
 * - a reader signed in with GitHub (github-sign-in.ts; a signed, expiring
 *   session cookie) who has read permission or more on the repository, asked
 *   with the App's installation token and remembered a few minutes.
 * Without a session the reader is sent to GitHub's authorize page; without
 * permission the page answers 404, as for a page that does not exist. Without
 * the sign-in settings, 403 with what the operator must set: never open.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestBuildToken, isBuildAccessToken } from "./build-access-token.js";
import { readCookie, serializeCookie, SESSION_COOKIE, SIGN_IN_COOKIE } from "./cookies.js";
import { getAuthorizeUrl, getReaderFromCode, type SignInSettings } from "./github-sign-in.js";
import { PermissionCache } from "./permission-cache.js";
import type { PageTarget } from "./run-access-record.js";
import { readSignedValue, signValue } from "./signed-value.js";

/** What the guard needs of an Octokit authenticated as the App's installation. */
export interface InstallationClient {
  request(route: "GET /repos/{owner}/{repo}/collaborators/{username}/permission", parameters: { owner: string; repo: string; username: string }): Promise<{ data: { permission: string } }>;
}

export interface PageAccessOptions {
  /** Base URL readers reach Eve at, without trailing slash (redirect URI; Secure cookies when https). */
  publicUrl: string;
  /** GitHub's REST API root (https://api.github.com or GHE's /api/v3). */
  githubApiUrl: string;
  /** Undefined when the operator has not configured sign-in. */
  signIn: SignInSettings | undefined;
  /** Key of build tokens (EVE_SESSION_SECRET, or derived from the App's key). */
  buildTokenSecret: string;
  getInstallationClient(installationId: number): Promise<InstallationClient>;
  /** How long a permission answer is kept (default 5 minutes). */
  permissionTtlMs?: number;
  /** How long a session lasts (default 8 hours). */
  sessionTtlMs?: number;
  onError?(error: unknown): void;
  now?(): number;
}

export interface PageAccess {
  /** True when the request may see `target`'s page; false when the guard answered (redirect, 403, 404, 503). */
  authorize(req: IncomingMessage, res: ServerResponse, target: PageTarget | undefined): Promise<boolean>;
  /** Answers GitHub's callback (CALLBACK_PATH); false for other requests. */
  handler(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** Where GitHub sends the reader back: the App's "Callback URL" is `${EVE_PUBLIC_URL}${CALLBACK_PATH}`. */
export const CALLBACK_PATH = "/auth/github/callback";
const SIGN_IN_TTL_MS = 10 * 60 * 1000;
const NOT_CONFIGURED =
  "This page belongs to a private repository, and this Eve cannot sign readers in: its operator must set EVE_GITHUB_CLIENT_ID and EVE_GITHUB_CLIENT_SECRET (the GitHub App's client id and a client secret) and EVE_SESSION_SECRET.\n";

export function createPageAccess(options: PageAccessOptions): PageAccess {
  const now = options.now ?? Date.now;
  const permissionTtlMs = options.permissionTtlMs ?? 5 * 60 * 1000;
  const sessionTtlMs = options.sessionTtlMs ?? 8 * 3600 * 1000;
  const secure = options.publicUrl.startsWith("https:");
  const redirectUrl = `${options.publicUrl}${CALLBACK_PATH}`;
  const permissions = new PermissionCache(permissionTtlMs);
  const onError = options.onError ?? (() => undefined);

  const mayRead = async (login: string, target: PageTarget): Promise<boolean> => {
    const repository = `${target.owner}/${target.repo}`;
    const known = permissions.get(login, repository, now());
    if (known !== undefined) return known;
    const client = await options.getInstallationClient(target.installationId);
    let allowed: boolean;
    try {
      const { data } = await client.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner: target.owner, repo: target.repo, username: login });
      // admin, write (maintain), read (triage); "none" has no access.
      allowed = ["admin", "write", "read"].includes(data.permission);
    } catch (error) {
      // 404: the user is not a collaborator (or not a user): no access.
      if ((error as { status?: number }).status !== 404) throw error;
      allowed = false;
    }
    permissions.set(login, repository, allowed, now());
    return allowed;
  };

  return {
    async authorize(req, res, target) {
      if (!target) return answer(res, 404, "Not found.\n");
      if (!target.private) return true;
      const token = getRequestBuildToken(new URL(req.url ?? "/", "http://eve"), req.headers.authorization);
      if (token !== undefined && isBuildAccessToken(options.buildTokenSecret, token, target.build, now())) return true;
      const signIn = options.signIn;
      if (!signIn) return answer(res, 403, NOT_CONFIGURED);
      const session = readSignedValue(signIn.sessionSecret, "session", readCookie(req, SESSION_COOKIE) ?? "", now());
      if (typeof session?.login !== "string") {
        const nonce = randomBytes(16).toString("base64url");
        const state = signValue(signIn.sessionSecret, "sign-in", { n: nonce, r: req.url ?? "/" }, now() + SIGN_IN_TTL_MS);
        res.writeHead(302, {
          location: getAuthorizeUrl(signIn, options.githubApiUrl, redirectUrl, state),
          "set-cookie": serializeCookie(SIGN_IN_COOKIE, nonce, { maxAgeSec: SIGN_IN_TTL_MS / 1000, secure }),
          "cache-control": "no-store",
        });
        res.end();
        return false;
      }
      try {
        // Do not confirm that a private repository's page exists to someone who may not read it.
        return (await mayRead(session.login, target)) || answer(res, 404, "Not found.\n");
      } catch (error) {
        onError(error);
        return answer(res, 503, "Eve cannot check your permission on this repository with GitHub right now; try again shortly.\n");
      }
    },

    async handler(req, res) {
      const url = new URL(req.url ?? "/", "http://eve");
      if (url.pathname !== CALLBACK_PATH || req.method !== "GET") return false;
      const signIn = options.signIn;
      if (!signIn) return !answer(res, 403, NOT_CONFIGURED);
      const state = readSignedValue(signIn.sessionSecret, "sign-in", url.searchParams.get("state") ?? "", now());
      const code = url.searchParams.get("code");
      // The nonce binds the callback to the browser that was sent to GitHub (no login CSRF).
      if (!state || state.n !== readCookie(req, SIGN_IN_COOKIE) || typeof state.r !== "string" || code === null) {
        return !answer(res, 400, "This sign-in link is not valid (expired, or started in another browser): open the page again.\n");
      }
      let login: string;
      try {
        ({ login } = await getReaderFromCode(signIn, options.githubApiUrl, redirectUrl, code));
      } catch (error) {
        onError(error);
        return !answer(res, 502, "GitHub did not confirm the sign-in; open the page again.\n");
      }
      // Only a path on this Eve: never an open redirect.
      const back = state.r.startsWith("/") && !state.r.startsWith("//") ? state.r : "/";
      res.writeHead(302, {
        location: back,
        "set-cookie": [
          serializeCookie(SESSION_COOKIE, signValue(signIn.sessionSecret, "session", { login }, now() + sessionTtlMs), { maxAgeSec: Math.floor(sessionTtlMs / 1000), secure }),
          serializeCookie(SIGN_IN_COOKIE, "", { maxAgeSec: 0, secure }),
        ],
        "cache-control": "no-store",
      });
      res.end();
      return true;
    },
  };
}

/** Answers with a short text; false, for `return answer(...)` in authorize. */
function answer(res: ServerResponse, status: number, text: string): false {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(text);
  return false;
}
