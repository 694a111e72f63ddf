/**
 * Eve's `product_version`: what `<build file dir>/get_product_version.sh`
 * prints at the built commit, `0.0.0` when there is no such script; anything
 * but 2 to 4 dot-separated integers fails the build, as in Eve
 * (`doc/source/reference/product_version.rst`). `eve run` and the app's top
 * stages both read it here.
 */
import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { dirname, join } from "node:path";

/** A product version script that fails or prints something else than a version fails the build. */
export class ProductVersionError extends Error {
  override readonly name = "ProductVersionError";
}

export const DEFAULT_PRODUCT_VERSION = "0.0.0";

/** Where the script is, relative to the repository root. */
export function getProductVersionScriptPath(buildFilePath: string): string {
  const dir = dirname(buildFilePath);
  return dir === "." ? "get_product_version.sh" : `${dir}/get_product_version.sh`;
}

export interface ReadProductVersionOptions {
  /**
   * The script's environment. The app passes a bare one (PATH, HOME): the
   * script is the repository's code and must not see Eve's own settings.
   */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export async function readProductVersion(repoDir: string, buildFilePath: string, options: ReadProductVersionOptions = {}): Promise<string> {
  const script = join(repoDir, getProductVersionScriptPath(buildFilePath));
  try {
    await access(script, constants.F_OK);
  } catch {
    return DEFAULT_PRODUCT_VERSION;
  }
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      "sh",
      [script],
      { cwd: repoDir, encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024, ...(options.env ? { env: options.env } : {}), ...(options.signal ? { signal: options.signal } : {}) },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const detail = stderr.trim().slice(-500) || error.message;
        reject(new ProductVersionError(`${getProductVersionScriptPath(buildFilePath)} failed: ${detail}`, { cause: error }));
      },
    );
  });
  const version = output.trim();
  if (!/^\d+(\.\d+){1,3}$/.test(version)) {
    throw new ProductVersionError(`${getProductVersionScriptPath(buildFilePath)} printed '${version.slice(0, 100)}': expected 2 to 4 dot-separated integers`);
  }
  return version;
}
