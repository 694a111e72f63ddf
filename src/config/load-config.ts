/**
 * Turns the environment into an EveConfig. Every bad setting gives one
 * message naming it; the caller prints them all and exits, so an operator
 * fixes everything in one go.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkerType } from "../buildfile/types.js";
import { DEFAULT_ARTIFACTS_PREFIX } from "../engine/artifacts-properties.js";
import { DEFAULT_TRUSTED_ONLY_WORKERS, DEFAULT_WORKER_TYPES, WORKER_TYPE_MODULES, WORKER_TYPES } from "../provisioners/worker-types.js";
import { parseSecretsText, secretsFormatOf } from "../secrets/parse-secrets-text.js";
import { ENV_SECRET_PREFIX, readEnvSecrets } from "../secrets/read-env-secrets.js";
import type { VaultSettings } from "../secrets/read-vault-secrets.js";
import { loadDockerSteps } from "../provisioners/docker/load-docker-steps.js";
import { createEnvReader } from "./env-reader.js";
import { loadCoverageEndpoint } from "./load-coverage-endpoint.js";
import { FORK_BUILD_POLICIES, LOG_LEVELS, type EveConfig, type ForkBuildPolicy, type LogLevel } from "./eve-config.js";
import { loadSignInSettings } from "./load-sign-in-settings.js";
import { loadTriggerLimits } from "./load-trigger-limits.js";
import { loadWorkerSettings } from "./load-worker-settings.js";
import { loadArtifactStoreSettings, parseSize } from "./load-artifact-store-settings.js";
import { getCapacitySettingName, SETTINGS } from "./settings.js";

export interface LoadConfigResult {
  config: EveConfig | undefined;
  /** One line per bad setting. */
  errors: string[];
  /** Settings that look like Eve's but are unknown (typos). */
  warnings: string[];
}

/** What the GitHub connection needs; `eve worker` and `npm start` both need it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadConfigResult {
  const errors: string[] = [];
  const reader = createEnvReader(env, errors);
  const { read, integer, flag } = reader;

  const appIdRaw = read("APP_ID");
  if (appIdRaw === undefined) errors.push("APP_ID is not set: the GitHub App's id (App settings → About)");
  else if (!/^\d+$/.test(appIdRaw)) errors.push(`APP_ID=${appIdRaw}: expected the App's numeric id`);

  const privateKey = readPrivateKey(read("PRIVATE_KEY"), read("PRIVATE_KEY_PATH"), errors);

  const webhookSecret = read("WEBHOOK_SECRET");
  if (webhookSecret === undefined) errors.push("WEBHOOK_SECRET is not set: the webhook secret configured on the App");

  const logRetentionDays = integer("EVE_LOG_RETENTION_DAYS", 30, 1);
  const port = integer("PORT", 3000, 0);
  if (port > 65535) errors.push(`PORT=${port}: expected a port number 0–65535`);

  const logLevel = (read("LOG_LEVEL") ?? "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) errors.push(`LOG_LEVEL=${logLevel}: expected one of ${LOG_LEVELS.join(", ")}`);

  const gheHost = read("GHE_HOST");
  const gheProtocol = (read("GHE_PROTOCOL") ?? "https").toLowerCase();
  if (gheProtocol !== "https" && gheProtocol !== "http") errors.push(`GHE_PROTOCOL=${gheProtocol}: expected https or http`);
  if (gheHost !== undefined && /[/\s]/.test(gheHost)) errors.push(`GHE_HOST=${gheHost}: expected a host name (and port), without scheme or path`);
  const githubServerUrl = gheHost === undefined ? "https://github.com" : `${gheProtocol}://${gheHost}`;
  const githubApiUrl = gheHost === undefined ? "https://api.github.com" : `${githubServerUrl}/api/v3`;

  const redisUrl = read("REDIS_URL") ?? "redis://127.0.0.1:6379";
  if (!isUrl(redisUrl, ["redis:", "rediss:"])) errors.push(`REDIS_URL=${redisUrl}: expected redis://[user:password@]host:port[/db]`);

  const publicUrl = (read("EVE_PUBLIC_URL") ?? `http://localhost:${port}`).replace(/\/+$/, "");
  if (!isUrl(publicUrl, ["http:", "https:"])) errors.push(`EVE_PUBLIC_URL=${publicUrl}: expected an http(s) URL`);

  const artifactsPublicUrl = (read("EVE_ARTIFACTS_PUBLIC_URL") ?? `${publicUrl}/artifacts`).replace(/\/+$/, "");
  if (!isUrl(artifactsPublicUrl, ["http:", "https:"])) errors.push(`EVE_ARTIFACTS_PUBLIC_URL=${artifactsPublicUrl}: expected an http(s) URL`);
  const artifactsPrivateUrl = (read("EVE_ARTIFACTS_PRIVATE_URL") ?? artifactsPublicUrl).replace(/\/+$/, "");
  if (!isUrl(artifactsPrivateUrl, ["http:", "https:"])) errors.push(`EVE_ARTIFACTS_PRIVATE_URL=${artifactsPrivateUrl}: expected an http(s) URL`);
  const artifactsPrefix = read("EVE_ARTIFACTS_PREFIX") ?? DEFAULT_ARTIFACTS_PREFIX;
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(artifactsPrefix) || artifactsPrefix.includes("..")) errors.push(`EVE_ARTIFACTS_PREFIX=${artifactsPrefix}: expected letters, digits, '.', '_' or '-'`);

  const buildFilePath = read("EVE_BUILD_FILE") ?? "eve/main.yml";
  if (buildFilePath.startsWith("/") || buildFilePath.split("/").includes("..")) {
    errors.push(`EVE_BUILD_FILE=${buildFilePath}: expected a path relative to the repository root`);
  }

  const instance = read("EVE_INSTANCE") ?? "eve";
  if (!/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/.test(instance)) {
    errors.push(`EVE_INSTANCE=${instance}: expected lower-case letters, digits and dashes (≤ 40), usable as a label`);
  }

  const workerTypes = parseWorkerTypes(read("EVE_WORKER_TYPES") ?? DEFAULT_WORKER_TYPES.join(","), errors);
  const capacity: Record<WorkerType, number> = Object.fromEntries(
    WORKER_TYPE_MODULES.map((module) => [module.type, integer(getCapacitySettingName(module.type), module.defaultCapacity, 1)]),
  );
  const workerSettings = loadWorkerSettings(env);
  errors.push(...workerSettings.errors);
  const artifactStore = loadArtifactStoreSettings(env);
  errors.push(...artifactStore.errors);
  // Only a process that runs a type's stages needs what it needs (a reachable cluster).
  for (const { module, problems } of workerSettings.settings) if (workerTypes.includes(module.type)) errors.push(...problems);

  const config: EveConfig = {
    appId: Number(appIdRaw),
    privateKey: privateKey ?? "",
    ...loadSignInSettings(reader, privateKey ?? "", errors),
    webhookSecret: webhookSecret ?? "",
    webhookPath: read("WEBHOOK_PATH") ?? "/api/github/webhooks",
    port,
    host: read("HOST") ?? "0.0.0.0",
    logLevel: logLevel as LogLevel,
    githubApiUrl,
    githubServerUrl,
    redisUrl,
    buildFilePath,
    publicUrl,
    artifactsNaming: { publicUrl: artifactsPublicUrl, privateUrl: artifactsPrivateUrl, prefix: artifactsPrefix },
    instance,
    workerTypes,
    capacity,
    commitStatus: flag("EVE_COMMIT_STATUS", true),
    forkBuilds: parseForkBuilds(read("EVE_FORK_BUILDS") ?? "approve", errors),
    trustedOnlyWorkers: parseWorkerList("EVE_TRUSTED_ONLY_WORKERS", read("EVE_TRUSTED_ONLY_WORKERS") ?? DEFAULT_TRUSTED_ONLY_WORKERS.join(","), errors),
    allowMasterShellCommand: flag("EVE_ALLOW_MASTER_SHELL_COMMAND", false),
    dockerSteps: loadDockerSteps(reader, errors),
    coverage: loadCoverageEndpoint(reader, errors),
    logRetentionDays,
    buildHistoryDays: integer("EVE_BUILD_HISTORY_DAYS", logRetentionDays, 1),
    statusToken: read("EVE_STATUS_TOKEN"),
    logMaxBytes: parseSize("EVE_LOG_MAX_BYTES", read("EVE_LOG_MAX_BYTES") ?? "1G", errors),
    workspaceDir: read("EVE_WORKSPACE_DIR") ?? join(tmpdir(), "eve"),
    maxStepDurationSec: integer("EVE_MAX_STEP_DURATION", 14400, 1),
    triggerLimits: loadTriggerLimits(reader),
    defaultStepTimeoutSec: integer("EVE_DEFAULT_STEP_TIMEOUT", 1200, 1),
    killGraceSec: integer("EVE_KILL_GRACE", 10, 0),
    githubWriteIntervalMs: integer("EVE_GITHUB_WRITE_INTERVAL_MS", 1000, 0),
    shutdownGraceSec: integer("EVE_SHUTDOWN_GRACE", 300, 0),
    workerLostAfterSec: integer("EVE_WORKER_LOST_AFTER", 60, 2),
    reapIntervalSec: integer("EVE_REAP_INTERVAL", 300, 0),
    workerMetricsPort: read("EVE_WORKER_METRICS_PORT") === undefined ? undefined : integer("EVE_WORKER_METRICS_PORT", 0, 0),
    secrets: { ...readSecrets(read("EVE_SECRETS_FILE"), errors), ...Object.fromEntries(readEnvSecrets(env)) },
    vault: readVault(read, errors),
    workerSettings: workerSettings.settings,
    artifactStore: artifactStore.settings,
  };
  return { config: errors.length === 0 ? config : undefined, errors, warnings: unknownSettings(env) };
}

function readPrivateKey(inline: string | undefined, path: string | undefined, errors: string[]): string | undefined {
  let pem: string;
  if (inline !== undefined) {
    // Single-line env files escape newlines; some platforms need base64.
    pem = inline.includes("-----BEGIN") ? inline.replace(/\\n/g, "\n") : Buffer.from(inline, "base64").toString("utf8");
  } else if (path !== undefined) {
    try {
      pem = readFileSync(path, "utf8");
    } catch (error) {
      errors.push(`PRIVATE_KEY_PATH=${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      return undefined;
    }
  } else {
    errors.push("PRIVATE_KEY or PRIVATE_KEY_PATH must be set: the App's private key (App settings → Private keys)");
    return undefined;
  }
  try {
    createPrivateKey(pem);
    return pem;
  } catch {
    errors.push(`${inline !== undefined ? "PRIVATE_KEY" : `PRIVATE_KEY_PATH=${path}`}: not a PEM private key`);
    return undefined;
  }
}

function parseWorkerTypes(raw: string, errors: string[]): WorkerType[] {
  const names = raw.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.filter((name) => !(WORKER_TYPES as readonly string[]).includes(name));
  if (unknown.length > 0) errors.push(`EVE_WORKER_TYPES=${raw}: unknown ${unknown.join(", ")} (expected ${WORKER_TYPES.join(", ")})`);
  if (names.length === 0) errors.push("EVE_WORKER_TYPES is empty: name at least one of " + WORKER_TYPES.join(", "));
  return [...new Set(names.filter((name): name is WorkerType => (WORKER_TYPES as readonly string[]).includes(name)))];
}

function parseForkBuilds(raw: string, errors: string[]): ForkBuildPolicy {
  const value = raw.toLowerCase();
  if ((FORK_BUILD_POLICIES as readonly string[]).includes(value)) return value as ForkBuildPolicy;
  errors.push(`EVE_FORK_BUILDS=${raw}: expected ${FORK_BUILD_POLICIES.join(", ")}`);
  return "approve";
}

/** A comma-separated list of worker types; "none" (or empty) for none. */
function parseWorkerList(name: string, raw: string, errors: string[]): WorkerType[] {
  const names = raw.split(",").map((item) => item.trim()).filter((item) => item !== "" && item !== "none");
  const unknown = names.filter((item) => !(WORKER_TYPES as readonly string[]).includes(item));
  if (unknown.length > 0) errors.push(`${name}=${raw}: unknown ${unknown.join(", ")} (expected ${WORKER_TYPES.join(", ")}, or none)`);
  return [...new Set(names.filter((item): item is WorkerType => (WORKER_TYPES as readonly string[]).includes(item)))];
}

/** The same formats as `eve run --secrets`: NAME=VALUE lines, or a yaml mapping for .yaml/.yml. */
function readSecrets(path: string | undefined, errors: string[]): Record<string, string> {
  if (path === undefined) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    errors.push(`EVE_SECRETS_FILE=${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return {};
  }
  const parsed = parseSecretsText(text, secretsFormatOf(path));
  if (!parsed.ok) {
    errors.push(`EVE_SECRETS_FILE=${path}: ${parsed.message}`);
    return {};
  }
  // A Map → plain object with no prototype surprises: names like __proto__ stay own keys.
  const secrets: Record<string, string> = {};
  for (const [name, value] of parsed.secrets) Object.defineProperty(secrets, name, { value, enumerable: true });
  return secrets;
}

/** Vault is on when VAULT_ADDR is set; then the token and the path are required. */
function readVault(read: (name: string) => string | undefined, errors: string[]): VaultSettings | undefined {
  const addr = read("VAULT_ADDR");
  if (addr === undefined) return undefined;
  if (!isUrl(addr, ["http:", "https:"])) errors.push(`VAULT_ADDR=${addr}: expected an http(s) URL`);
  const token = read("VAULT_TOKEN");
  if (token === undefined) errors.push("VAULT_TOKEN is not set: a Vault token that can read EVE_VAULT_PATH");
  const path = read("EVE_VAULT_PATH");
  if (path === undefined) errors.push("EVE_VAULT_PATH is not set: the KV secret whose keys are Eve's secrets, e.g. eve");
  const namespace = read("VAULT_NAMESPACE");
  const vault: VaultSettings = { addr, token: token ?? "", mount: read("EVE_VAULT_MOUNT") ?? "secret", path: path ?? "" };
  if (namespace !== undefined) vault.namespace = namespace;
  return vault;
}

function isUrl(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function unknownSettings(env: NodeJS.ProcessEnv): string[] {
  const known = new Set(SETTINGS.map((setting) => setting.name));
  return Object.keys(env)
    .filter((name) => name.startsWith("EVE_") && !known.has(name) && !name.startsWith(ENV_SECRET_PREFIX))
    .map((name) => `${name} is not an Eve setting (ignored); see docs/configuration.md`);
}
