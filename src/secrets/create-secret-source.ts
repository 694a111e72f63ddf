/**
 * The app's secrets: what the operator configured (EVE_SECRETS_FILE and
 * EVE_SECRET_* variables, read by loadConfig) over what Vault holds, behind
 * the engine's synchronous SecretSource. Vault is read before the first
 * stage and then refreshed in the background; a failed refresh keeps the
 * last good values (and is reported), so a Vault outage does not fail builds.
 */
import type { SecretSource } from "../engine/types.js";
import { readVaultSecrets, type VaultSettings } from "./read-vault-secrets.js";

export interface SecretSourceConfig {
  /** Secrets already read from the file and environment sources; they win over Vault. */
  secrets: Record<string, string>;
  vault: VaultSettings | undefined;
}

export interface SecretSourceOptions {
  /** Re-read Vault this often (default 5 minutes); 0 = never. */
  refreshIntervalMs?: number;
  /** A background refresh failed (the previous values stay in use). */
  onError?: (error: unknown) => void;
}

/** A SecretSource that can be refreshed and must be closed (it may hold a timer). */
export interface SecretStore extends SecretSource {
  refresh(): Promise<void>;
  close(): void;
}

/** Reads every source once; throws a SecretSourceError when Vault cannot be read at start. */
export async function createSecretSource(config: SecretSourceConfig, options: SecretSourceOptions = {}): Promise<SecretStore> {
  const local = new Map(Object.entries(config.secrets));
  let current = local;
  const refresh = async (): Promise<void> => {
    if (!config.vault) return;
    const merged = await readVaultSecrets(config.vault);
    for (const [name, value] of local) merged.set(name, value);
    current = merged;
  };
  await refresh();
  const interval = options.refreshIntervalMs ?? 5 * 60_000;
  const timer =
    config.vault && interval > 0
      ? setInterval(() => refresh().catch((error: unknown) => options.onError?.(error)), interval).unref()
      : undefined;
  return {
    get: (name) => current.get(name),
    values: () => [...new Set(current.values())],
    refresh,
    close: () => clearInterval(timer),
  };
}

/** No secrets at all: what a build from a fork (or any untrusted author) gets. */
export const NO_SECRETS: SecretSource = { get: () => undefined, values: () => [] };
