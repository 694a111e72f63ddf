/**
 * The two cookies of sign-in: the session (who the reader is on GitHub) and
 * the sign-in nonce (binds GitHub's callback to the browser that started it).
 * HttpOnly (no script reads them), SameSite=Lax (sent on the link a reader
 * follows from GitHub, not on other sites' requests), Secure when Eve is
 * served over HTTPS.
 */
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "eve_session";
export const SIGN_IN_COOKIE = "eve_sign_in";

/** A cookie's value in the request, or undefined. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie header value; `maxAgeSec` 0 removes the cookie. */
export function serializeCookie(name: string, value: string, options: { maxAgeSec: number; secure: boolean }): string {
  return `${name}=${value}; Path=/; Max-Age=${options.maxAgeSec}; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}`;
}
