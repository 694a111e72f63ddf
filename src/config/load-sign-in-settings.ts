/**
 * EVE_GITHUB_CLIENT_ID, EVE_GITHUB_CLIENT_SECRET and EVE_SESSION_SECRET: all
 * three turn sign-in on (private repositories' pages open to their readers);
 * none keeps it off (those pages answer 403); some but not all is an error.
 * Build tokens are signed with EVE_SESSION_SECRET, or without it with a key
 * derived from the App's private key (every Eve process of the App has it).
 */
import { createHash } from "node:crypto";
import type { SignInSettings } from "../access/github-sign-in.js";
import type { EnvReader } from "./env-reader.js";

const NAMES = ["EVE_GITHUB_CLIENT_ID", "EVE_GITHUB_CLIENT_SECRET", "EVE_SESSION_SECRET"] as const;
const MIN_SECRET_LENGTH = 32;

export function loadSignInSettings(reader: EnvReader, privateKey: string, errors: string[]): { signIn: SignInSettings | undefined; buildTokenSecret: string } {
  const [clientId, clientSecret, sessionSecret] = NAMES.map((name) => reader.read(name));
  const buildTokenSecret = sessionSecret ?? createHash("sha256").update(`eve build access tokens\n${privateKey}`).digest("base64url");
  const missing = NAMES.filter((name) => reader.read(name) === undefined);
  if (missing.length === NAMES.length) return { signIn: undefined, buildTokenSecret };
  if (missing.length > 0) errors.push(`${missing.join(" and ")} must be set too: sign-in needs ${NAMES.join(", ")}`);
  if (sessionSecret !== undefined && sessionSecret.length < MIN_SECRET_LENGTH) errors.push(`EVE_SESSION_SECRET: expected at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 32)`);
  return { signIn: clientId && clientSecret && sessionSecret ? { clientId, clientSecret, sessionSecret } : undefined, buildTokenSecret };
}
