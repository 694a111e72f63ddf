/**
 * What Eve's bootstrap added to a build's properties before its top stage:
 * `product_version` from the repository's script, then the artifacts
 * container's name and URLs. Triggered stages inherit them from their parent.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { withArtifactsProperties, type ArtifactsNaming } from "../engine/artifacts-properties.js";
import { readProductVersion } from "../engine/read-product-version.js";
import type { PropertyValues } from "../engine/types.js";
import type { StageJobData } from "./job-data.js";

const run = promisify(execFile);

export interface BootstrapPropertiesOptions {
  naming: ArtifactsNaming;
  /** Checkout of the commit on this host, when there is one. */
  checkout: string | undefined;
  signal: AbortSignal;
}

/** Whether the top stage must fetch the repository to run the product version script. */
export function needsProductVersionCheckout(data: StageJobData): boolean {
  return data.parent === undefined && data.productVersionScript === true && data.untrusted !== true;
}

/**
 * The top stage's properties; a triggered stage's unchanged. Throws
 * ProductVersionError when the script fails or prints no version (the build
 * fails, as Eve's bootstrap did).
 */
export async function getBootstrapProperties(data: StageJobData, options: BootstrapPropertiesOptions): Promise<PropertyValues> {
  if (data.parent !== undefined) return data.properties;
  const properties = { ...data.properties };
  const { checkout } = options;
  // A fork's script would run on the Eve host: its builds keep 0.0.0 (docs/artifacts.md).
  if (needsProductVersionCheckout(data) && checkout !== undefined) {
    properties.product_version = await readProductVersion(checkout, data.buildFilePath, { env: bareEnv(checkout), signal: options.signal });
  }
  if (properties.commit_timestamp === undefined && checkout !== undefined && Number.parseFloat(String(properties.eve_api_version)) >= 0.2) {
    const timestamp = await readCommitTimestamp(checkout);
    if (timestamp !== undefined) properties.commit_timestamp = timestamp;
  }
  return withArtifactsProperties(properties, options.naming);
}

/** The script sees none of Eve's settings (tokens, keys): a path, a home, a locale. */
function bareEnv(checkout: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: checkout, LANG: "C.UTF-8" };
}

async function readCommitTimestamp(checkout: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["-C", checkout, "log", "-1", "--format=%cd", "--date=format-local:%y%m%d%H%M%S"], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
