import type { ArtifactLimits } from "./open-artifact-upload.js";

/** Where artifacts are kept and for how long (EVE_ARTIFACTS_* settings; see src/config/settings.ts). */
export interface ArtifactStoreSettings {
  store: "disk" | "s3";
  /** Root of the disk store. */
  dir: string;
  s3: S3StoreSettings;
  /** Days a build's container is kept; promoted copies are kept forever. */
  retentionDays: number;
  /** Seconds between garbage collections. */
  gcIntervalSec: number;
  limits: { step: ArtifactLimits; build: ArtifactLimits };
}

export interface S3StoreSettings {
  /** e.g. http://127.0.0.1:7070; undefined: AWS's own endpoint for the region. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  /** Undefined: the AWS SDK's default chain (AWS_ACCESS_KEY_ID, profiles, instance roles…). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Prepended to every key, so that one bucket can serve several installations. */
  keyPrefix: string;
  /** Path-style URLs (http://host/bucket/key): what most non-AWS servers need. */
  forcePathStyle: boolean;
}
