/**
 * The artifact store's settings (EVE_ARTIFACTS_STORE, _DIR, _S3_*, _RETENTION_DAYS, _GC_INTERVAL,
 * _MAX_*), read the same way for the app, `eve worker` and `eve run`: it needs nothing of the App.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { ArtifactStoreSettings } from "../artifacts/artifact-store-settings.js";
import type { ArtifactLimits } from "../artifacts/open-artifact-upload.js";
import { createEnvReader, type EnvReader } from "./env-reader.js";

export interface LoadArtifactStoreSettingsResult {
  settings: ArtifactStoreSettings;
  /** One line per bad setting. */
  errors: string[];
}

const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

export function loadArtifactStoreSettings(env: NodeJS.ProcessEnv = process.env): LoadArtifactStoreSettingsResult {
  const errors: string[] = [];
  const reader = createEnvReader(env, errors);
  const { read, integer, flag } = reader;

  const store = (read("EVE_ARTIFACTS_STORE") ?? "disk").toLowerCase();
  if (store !== "disk" && store !== "s3") errors.push(`EVE_ARTIFACTS_STORE=${store}: expected disk or s3`);

  const dataHome = read("XDG_DATA_HOME") ?? join(homedir(), ".local", "share");
  const dir = read("EVE_ARTIFACTS_DIR") ?? join(dataHome, "eve", "artifacts");
  if (!dir.startsWith("/")) errors.push(`EVE_ARTIFACTS_DIR=${dir}: expected an absolute path`);

  const endpoint = read("EVE_ARTIFACTS_S3_ENDPOINT");
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) errors.push(`EVE_ARTIFACTS_S3_ENDPOINT=${endpoint}: expected http(s)://host[:port]`);
  const bucket = read("EVE_ARTIFACTS_S3_BUCKET") ?? "";
  if (store === "s3" && bucket === "") errors.push("EVE_ARTIFACTS_S3_BUCKET is not set: the bucket of the s3 artifact store (EVE_ARTIFACTS_STORE=s3)");
  const accessKeyId = read("EVE_ARTIFACTS_S3_ACCESS_KEY_ID");
  const secretAccessKey = read("EVE_ARTIFACTS_S3_SECRET_ACCESS_KEY");
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    errors.push("EVE_ARTIFACTS_S3_ACCESS_KEY_ID and EVE_ARTIFACTS_S3_SECRET_ACCESS_KEY go together: set both, or neither (the AWS_* chain)");
  }
  const keyPrefix = read("EVE_ARTIFACTS_S3_KEY_PREFIX") ?? "";
  if (keyPrefix !== "" && (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/.test(keyPrefix) || keyPrefix.split("/").some((s) => s === "." || s === ".."))) {
    errors.push(`EVE_ARTIFACTS_S3_KEY_PREFIX=${keyPrefix}: expected folder names of letters, digits, '.', '_', '-', ending with '/'`);
  }

  const settings: ArtifactStoreSettings = {
    store: store === "s3" ? "s3" : "disk",
    dir,
    s3: {
      endpoint: endpoint?.replace(/\/$/, ""),
      bucket,
      region: read("EVE_ARTIFACTS_S3_REGION") ?? read("AWS_REGION") ?? "us-east-1",
      credentials: accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey } : undefined,
      keyPrefix,
      forcePathStyle: flag("EVE_ARTIFACTS_S3_PATH_STYLE", true),
    },
    retentionDays: integer("EVE_ARTIFACTS_RETENTION_DAYS", 14, 1),
    gcIntervalSec: integer("EVE_ARTIFACTS_GC_INTERVAL", 3600, 60),
    limits: {
      step: readLimits(reader, "STEP", "10G", 100_000, errors),
      build: readLimits(reader, "BUILD", "50G", 500_000, errors),
    },
  };
  return { settings, errors };
}

function readLimits(reader: EnvReader, scope: "STEP" | "BUILD", bytes: string, files: number, errors: string[]): ArtifactLimits {
  const maxFiles = reader.integer(`EVE_ARTIFACTS_MAX_${scope}_FILES`, files, 0);
  return {
    maxBytes: parseSize(`EVE_ARTIFACTS_MAX_${scope}_BYTES`, reader.read(`EVE_ARTIFACTS_MAX_${scope}_BYTES`) ?? bytes, errors),
    maxFiles: maxFiles === 0 ? Number.POSITIVE_INFINITY : maxFiles,
  };
}

/** Bytes, or K/M/G/T (powers of 1024); 0: no limit. */
export function parseSize(name: string, raw: string, errors: string[]): number {
  const match = /^(\d+)\s*([KMGT]?)i?B?$/i.exec(raw);
  if (match === null) {
    errors.push(`${name}=${raw}: expected a size such as 500M or 10G (0: no limit)`);
    return Number.POSITIVE_INFINITY;
  }
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? "").toUpperCase()] ?? 1);
  return bytes === 0 ? Number.POSITIVE_INFINITY : bytes;
}
