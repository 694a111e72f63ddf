import { describe, expect, it } from "vitest";
import { loadArtifactStoreSettings } from "./load-artifact-store-settings.js";

describe("loadArtifactStoreSettings", () => {
  it("defaults to a disk store under the data home, 14 days, generous limits", () => {
    const { settings, errors } = loadArtifactStoreSettings({ XDG_DATA_HOME: "/srv/data" });

    expect(errors).toEqual([]);
    expect(settings).toEqual({
      store: "disk",
      dir: "/srv/data/eve/artifacts",
      s3: { endpoint: undefined, bucket: "", region: "us-east-1", credentials: undefined, keyPrefix: "", forcePathStyle: true },
      retentionDays: 14,
      gcIntervalSec: 3600,
      limits: {
        step: { maxBytes: 10 * 1024 ** 3, maxFiles: 100_000 },
        build: { maxBytes: 50 * 1024 ** 3, maxFiles: 500_000 },
      },
    });
  });

  it("reads an S3 store, sizes with units, and 0 as no limit", () => {
    const { settings, errors } = loadArtifactStoreSettings({
      EVE_ARTIFACTS_STORE: "s3",
      EVE_ARTIFACTS_S3_ENDPOINT: "http://127.0.0.1:7070/",
      EVE_ARTIFACTS_S3_BUCKET: "eve",
      AWS_REGION: "eu-west-3",
      EVE_ARTIFACTS_S3_ACCESS_KEY_ID: "id",
      EVE_ARTIFACTS_S3_SECRET_ACCESS_KEY: "secret",
      EVE_ARTIFACTS_S3_KEY_PREFIX: "eve-prod/",
      EVE_ARTIFACTS_MAX_STEP_BYTES: "500M",
      EVE_ARTIFACTS_MAX_STEP_FILES: "0",
      EVE_ARTIFACTS_MAX_BUILD_BYTES: "0",
      EVE_ARTIFACTS_RETENTION_DAYS: "30",
    });

    expect(errors).toEqual([]);
    expect(settings).toMatchObject({
      store: "s3",
      s3: { endpoint: "http://127.0.0.1:7070", bucket: "eve", region: "eu-west-3", credentials: { accessKeyId: "id", secretAccessKey: "secret" }, keyPrefix: "eve-prod/" },
      retentionDays: 30,
      limits: { step: { maxBytes: 500 * 1024 ** 2, maxFiles: Number.POSITIVE_INFINITY }, build: { maxBytes: Number.POSITIVE_INFINITY } },
    });
  });

  it("names every bad setting", () => {
    const { errors } = loadArtifactStoreSettings({
      EVE_ARTIFACTS_STORE: "s3",
      EVE_ARTIFACTS_DIR: "relative/dir",
      EVE_ARTIFACTS_S3_ENDPOINT: "127.0.0.1:7070",
      EVE_ARTIFACTS_S3_ACCESS_KEY_ID: "id",
      EVE_ARTIFACTS_S3_KEY_PREFIX: "../",
      EVE_ARTIFACTS_MAX_BUILD_BYTES: "lots",
      EVE_ARTIFACTS_RETENTION_DAYS: "0",
    });

    expect(errors).toEqual([
      "EVE_ARTIFACTS_DIR=relative/dir: expected an absolute path",
      "EVE_ARTIFACTS_S3_ENDPOINT=127.0.0.1:7070: expected http(s)://host[:port]",
      "EVE_ARTIFACTS_S3_BUCKET is not set: the bucket of the s3 artifact store (EVE_ARTIFACTS_STORE=s3)",
      "EVE_ARTIFACTS_S3_ACCESS_KEY_ID and EVE_ARTIFACTS_S3_SECRET_ACCESS_KEY go together: set both, or neither (the AWS_* chain)",
      "EVE_ARTIFACTS_S3_KEY_PREFIX=../: expected folder names of letters, digits, '.', '_', '-', ending with '/'",
      "EVE_ARTIFACTS_RETENTION_DAYS=0: expected a whole number ≥ 1",
      "EVE_ARTIFACTS_MAX_BUILD_BYTES=lots: expected a size such as 500M or 10G (0: no limit)",
    ]);
  });
});
