/**
 * Tokens for the links a worker uses (`artifacts_private_url`): they open the
 * pages of one build, and stop working when it is over. An HMAC of the build id
 * and the expiry; no GitHub sign-in involved (a worker has no GitHub user).
 */
import { readSignedValue, signValue } from "./signed-value.js";

/** The query parameter that carries a build token on a page URL. */
export const BUILD_TOKEN_PARAMETER = "eve_token";

/** How long a build's token opens its pages: as long as Eve remembers the build (its registry keeps a week). */
export const BUILD_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * `url` carrying `token` as its password (`https://eve:<token>@host/…`): a
 * base URL that scripts extend with paths (`%(prop:artifacts_private_url)s/x`)
 * keeps it, and curl, wget and Python send it as Basic authorization.
 */
export function withBuildToken(url: string, token: string): string {
  const parsed = new URL(url);
  parsed.username = "eve";
  parsed.password = token;
  return parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
}

/** The build token a request carries: `?eve_token=`, Basic authorization's password, or a Bearer token. */
export function getRequestBuildToken(url: URL, authorization: string | undefined): string | undefined {
  const query = url.searchParams.get(BUILD_TOKEN_PARAMETER);
  if (query !== null) return query;
  const [scheme, value] = (authorization ?? "").split(" ");
  if (scheme?.toLowerCase() === "bearer") return value;
  if (scheme?.toLowerCase() !== "basic" || value === undefined) return undefined;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  return decoded.slice(decoded.indexOf(":") + 1);
}

/** A token opening the pages of `build` until `expiresAt` (ms since the epoch). */
export function createBuildAccessToken(secret: string, build: string, expiresAt: number): string {
  return signValue(secret, "build", { b: build }, expiresAt);
}

/** Whether `token` is a live token for `build` (a token for another build is not). */
export function isBuildAccessToken(secret: string, token: string, build: string, now = Date.now()): boolean {
  return readSignedValue(secret, "build", token, now)?.b === build;
}
