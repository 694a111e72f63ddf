/**
 * `--secrets FILE`: one `NAME=VALUE` per line; blank lines and `#` comments
 * are ignored; the value is everything after the first `=`, kept as is.
 */
import { readFile } from "node:fs/promises";
import type { SecretSource } from "../engine/types.js";
import { UsageError } from "./usage-error.js";

export async function readSecretsFile(path: string | undefined): Promise<SecretSource> {
  const secrets = new Map<string, string>();
  if (path !== undefined) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read the secrets file ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const [index, raw] of text.split(/\r?\n/).entries()) {
      const line = raw.trimStart();
      if (line === "" || line.startsWith("#")) continue;
      const sep = line.indexOf("=");
      if (sep <= 0) throw new UsageError(`${path}:${index + 1}: expected NAME=VALUE`);
      secrets.set(line.slice(0, sep).trim(), line.slice(sep + 1));
    }
  }
  return { get: (name) => secrets.get(name), values: () => [...secrets.values()] };
}
