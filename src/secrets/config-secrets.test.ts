import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/load-config.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const minimal = { APP_ID: "42", PRIVATE_KEY: pem, WEBHOOK_SECRET: "s3cret" };
const dir = mkdtempSync(join(tmpdir(), "eve-config-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadConfig: secret sources", () => {
  it("reads a yaml secrets file and EVE_SECRET_* variables (which win), without warning about them", () => {
    writeFileSync(join(dir, "secrets.yaml"), "a: from-file\nb: |\n  two\n  lines\n");

    const { config, errors, warnings } = loadConfig({ ...minimal, EVE_SECRETS_FILE: join(dir, "secrets.yaml"), EVE_SECRET_a: "from-env", EVE_SECRET_c: "c" });

    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config?.secrets).toEqual({ a: "from-env", b: "two\nlines\n", c: "c" });
    expect(config?.vault).toBeUndefined();
  });

  it("reads Vault settings and names each missing one", () => {
    expect(loadConfig({ ...minimal, VAULT_ADDR: "https://vault:8200", VAULT_TOKEN: "t", EVE_VAULT_PATH: "ci/eve", VAULT_NAMESPACE: "ns" }).config?.vault).toEqual({
      addr: "https://vault:8200",
      token: "t",
      mount: "secret",
      path: "ci/eve",
      namespace: "ns",
    });
    expect(loadConfig({ ...minimal, VAULT_ADDR: "vault" }).errors).toEqual([
      "VAULT_ADDR=vault: expected an http(s) URL",
      "VAULT_TOKEN is not set: a Vault token that can read EVE_VAULT_PATH",
      "EVE_VAULT_PATH is not set: the KV secret whose keys are Eve's secrets, e.g. eve",
    ]);
  });

  it("reports a bad secrets file without its content", () => {
    writeFileSync(join(dir, "bad.env"), "hunter2\n");

    const { errors } = loadConfig({ ...minimal, EVE_SECRETS_FILE: join(dir, "bad.env") });

    expect(errors).toEqual([`EVE_SECRETS_FILE=${join(dir, "bad.env")}: line 1: expected NAME=VALUE (NAME of letters, digits, '_', '.', '-')`]);
  });
});
