/**
 * `--secrets FILE`: the file secret source (src/secrets): `NAME=VALUE` lines,
 * or a yaml mapping for a `.yaml`/`.yml` file. A bad file is a usage error.
 */
import type { SecretSource } from "../engine/types.js";
import { readSecretsFile as readSecretsSource } from "../secrets/read-secrets-file.js";
import { SecretSourceError } from "../secrets/secret-source-error.js";
import { UsageError } from "./usage-error.js";

export async function readSecretsFile(path: string | undefined): Promise<SecretSource> {
  let secrets = new Map<string, string>();
  if (path !== undefined) {
    try {
      secrets = await readSecretsSource(path);
    } catch (error) {
      if (error instanceof SecretSourceError) throw new UsageError(error.message);
      throw error;
    }
  }
  return { get: (name) => secrets.get(name), values: () => [...new Set(secrets.values())] };
}
