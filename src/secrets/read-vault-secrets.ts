/**
 * The HashiCorp Vault source, as Eve had (VAULT_URL, VAULT_TOKEN, one path
 * under a mount): reads one KV version 2 secret and makes each of its keys a
 * `%(secret:KEY)s`. Plain HTTP through fetch; the token goes in a header and
 * never into a message.
 */
import { SecretSourceError } from "./secret-source-error.js";

/** Where the secrets live in Vault. */
export interface VaultSettings {
  /** Vault's address, e.g. `https://vault.example.com:8200` (VAULT_ADDR). */
  addr: string;
  /** A token allowed to read the path (VAULT_TOKEN). */
  token: string;
  /** The KV v2 engine's mount (default `secret`). */
  mount: string;
  /** The secret's path under the mount, e.g. `eve` or `ci/eve`. */
  path: string;
  /** Vault Enterprise namespace (VAULT_NAMESPACE), if any. */
  namespace?: string;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
}

interface KvV2Response {
  data?: { data?: Record<string, unknown> | null };
}

export async function readVaultSecrets(settings: VaultSettings): Promise<Map<string, string>> {
  const url = `${settings.addr.replace(/\/+$/, "")}/v1/${segments(settings.mount)}/data/${segments(settings.path)}`;
  const where = `Vault ${settings.mount}/${settings.path}`;
  const headers: Record<string, string> = { "X-Vault-Token": settings.token, Accept: "application/json" };
  if (settings.namespace !== undefined) headers["X-Vault-Namespace"] = settings.namespace;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000), redirect: "error" });
  } catch (error) {
    throw new SecretSourceError(`cannot reach ${where} at ${settings.addr}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    const why = response.status === 403 ? "permission denied (check VAULT_TOKEN and its policy)" : response.status === 404 ? "no secret at this path (a KV version 2 mount?)" : `HTTP ${response.status}`;
    throw new SecretSourceError(`cannot read ${where}: ${why}`);
  }
  let body: KvV2Response;
  try {
    body = (await response.json()) as KvV2Response;
  } catch (error) {
    throw new SecretSourceError(`cannot read ${where}: the answer is not JSON`, { cause: error });
  }
  const data = body.data?.data;
  // A deleted or destroyed version answers with data: null.
  if (data === undefined || data === null || typeof data !== "object") throw new SecretSourceError(`cannot read ${where}: no data in the answer (deleted version?)`);
  const secrets = new Map<string, string>();
  for (const [name, value] of Object.entries(data)) secrets.set(name, typeof value === "string" ? value : JSON.stringify(value));
  return secrets;
}

/** Each path segment URL-encoded, slashes kept. */
function segments(path: string): string {
  return path.replace(/^\/+|\/+$/g, "").split("/").map(encodeURIComponent).join("/");
}
