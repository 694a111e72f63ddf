/**
 * Values Eve hands out and must get back unchanged: session cookies, sign-in
 * state, build access tokens. `base64url(JSON).base64url(HMAC-SHA256)`, with
 * an expiry inside the signed part; checked in constant time. A value signed
 * for one purpose is never accepted for another (the purpose is signed too).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type SignedPurpose = "session" | "sign-in" | "build";

/** Signs `payload` (JSON data) for `purpose`, valid until `expiresAt` (ms since the epoch). */
export function signValue(secret: string, purpose: SignedPurpose, payload: Record<string, unknown>, expiresAt: number): string {
  const body = Buffer.from(JSON.stringify({ ...payload, p: purpose, exp: expiresAt })).toString("base64url");
  return `${body}.${mac(secret, body)}`;
}

/** The payload of a value this secret signed for `purpose` and that has not expired; undefined otherwise. */
export function readSignedValue(secret: string, purpose: SignedPurpose, value: string, now = Date.now()): Record<string, unknown> | undefined {
  const [body, signature, ...rest] = value.split(".");
  if (body === undefined || signature === undefined || rest.length > 0 || body.length > 4096) return undefined;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof payload !== "object" || payload === null) return undefined;
  const { p, exp, ...data } = payload as Record<string, unknown>;
  if (p !== purpose || typeof exp !== "number" || exp <= now) return undefined;
  return data;
}

function mac(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("base64url");
}
