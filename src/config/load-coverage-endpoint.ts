/** PublishCoverageReport's endpoint from EVE_CODECOV_URL: an http(s) base URL, or none. */
import type { CoverageEndpoint } from "../engine/step-services.js";
import type { EnvReader } from "./env-reader.js";

export function loadCoverageEndpoint(env: EnvReader, errors: string[]): CoverageEndpoint | undefined {
  const raw = env.read("EVE_CODECOV_URL");
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    errors.push(`EVE_CODECOV_URL=${raw}: expected an http(s) URL, e.g. https://codecov.io`);
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    errors.push(`EVE_CODECOV_URL=${raw}: expected an http(s) URL, e.g. https://codecov.io`);
    return undefined;
  }
  return { url: raw.replace(/\/+$/, "") };
}
