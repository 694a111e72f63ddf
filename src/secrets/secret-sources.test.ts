import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecretSource } from "./create-secret-source.js";
import { parseSecretsText } from "./parse-secrets-text.js";
import { readEnvSecrets } from "./read-env-secrets.js";
import { readSecretsFile } from "./read-secrets-file.js";
import { readVaultSecrets, type VaultSettings } from "./read-vault-secrets.js";

const TOKEN = "s.vault-token-1234";

/** A small Vault stand-in: KV v2 at secret/ (and team/), answers as Vault does. */
class VaultStandIn {
  readonly requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  readonly data = new Map<string, Record<string, unknown> | null>();
  status: number | undefined;
  private readonly server: Server = createServer((request, response) => {
    this.requests.push({ url: request.url ?? "", headers: request.headers });
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (this.status !== undefined) return send(this.status, { errors: ["forced"] });
    if (request.headers["x-vault-token"] !== TOKEN) return send(403, { errors: ["permission denied"] });
    const match = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(request.url ?? "");
    const key = match ? `${match[1]}/${decodeURIComponent(match[2] ?? "")}` : "";
    if (!this.data.has(key)) return send(404, { errors: [] });
    return send(200, { request_id: "r", lease_id: "", renewable: false, lease_duration: 0, data: { data: this.data.get(key), metadata: { version: 3, destroyed: false } } });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const vault = new VaultStandIn();
let settings: VaultSettings;
const dir = mkdtempSync(join(tmpdir(), "eve-secrets-"));

beforeAll(async () => {
  settings = { addr: await vault.start(), token: TOKEN, mount: "secret", path: "ci/eve" };
});
afterAll(async () => {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the file source", () => {
  it("reads NAME=VALUE lines: comments, blanks, '=' in values, CRLF", async () => {
    writeFileSync(join(dir, "s.env"), "# comment\n\nTOKEN=a=b c \r\n  other.name=x\n");

    expect(await readSecretsFile(join(dir, "s.env"))).toEqual(new Map([["TOKEN", "a=b c "], ["other.name", "x"]]));
  });

  it("reads a yaml mapping, multi-line values included", async () => {
    writeFileSync(join(dir, "s.yaml"), "key: |\n  -----BEGIN KEY-----\n  abc\n  -----END KEY-----\nn: 0123\n");

    expect(await readSecretsFile(join(dir, "s.yaml"))).toEqual(new Map([["key", "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"], ["n", "0123"]]));
  });

  it.each([
    ["lines", "TOKEN hunter2\n", "line 1: expected NAME=VALUE"],
    ["lines", "=hunter2\n", "line 1: expected NAME=VALUE"],
    ["yaml", "- a\n", "expected a mapping"],
    ["yaml", "a: [hunter2]\n", "secret 'a' must be a string"],
    ["yaml", "a: 'hunter2\n", "not a valid yaml file"],
    ["yaml", "a: &x hunter2\nb: *x\n", "not a valid yaml file"],
  ] as const)("refuses bad %s text without echoing the value: %j", (format, text, message) => {
    const parsed = parseSecretsText(text, format);

    expect(parsed.ok ? "" : parsed.message).toContain(message);
    expect(parsed.ok ? "" : parsed.message).not.toContain("hunter2");
  });

  it("names a missing file", async () => {
    await expect(readSecretsFile(join(dir, "missing.env"))).rejects.toThrow(/cannot read the secrets file .*missing.env \(ENOENT\)/);
  });
});

describe("the environment source", () => {
  it("takes EVE_SECRET_<NAME> variables, name as written", () => {
    expect(readEnvSecrets({ EVE_SECRET_token: "t", EVE_SECRET_: "x", EVE_SECRETS_FILE: "f", OTHER: "o" })).toEqual(new Map([["token", "t"]]));
  });
});

describe("the Vault source (KV v2)", () => {
  it("reads every key of the path with the token in a header; non-strings as JSON", async () => {
    vault.data.set("secret/ci/eve", { token: "abc", port: 5432, nested: { a: 1 } });
    vault.requests.length = 0;

    const secrets = await readVaultSecrets({ ...settings, namespace: "team" });

    expect(secrets).toEqual(new Map([["token", "abc"], ["port", "5432"], ["nested", '{"a":1}']]));
    expect(vault.requests[0]?.url).toBe("/v1/secret/data/ci/eve");
    expect(vault.requests[0]?.headers["x-vault-namespace"]).toBe("team");
  });

  it.each([
    ["a wrong token", { token: "nope" }, undefined, /permission denied/],
    ["a missing path", { path: "nope" }, undefined, /no secret at this path/],
    ["a server error", {}, 503, /HTTP 503/],
  ])("fails clearly on %s, never naming the token", async (_, change, status, message) => {
    vault.status = status;
    try {
      const error = await readVaultSecrets({ ...settings, ...change }).catch((caught: unknown) => caught);

      expect(String(error)).toMatch(message);
      expect(String(error)).not.toContain(TOKEN);
    } finally {
      vault.status = undefined;
    }
  });

  it("fails on a deleted version (data: null) and on an unreachable Vault", async () => {
    vault.data.set("secret/gone", null);

    await expect(readVaultSecrets({ ...settings, path: "gone" })).rejects.toThrow(/deleted version/);
    await expect(readVaultSecrets({ ...settings, addr: "http://127.0.0.1:1", timeoutMs: 2000 })).rejects.toThrow(/cannot reach Vault secret\/ci\/eve/);
  });
});

describe("createSecretSource", () => {
  it("merges Vault under the operator's file and environment secrets", async () => {
    vault.data.set("secret/ci/eve", { token: "from-vault", only: "vault" });

    const source = await createSecretSource({ secrets: { token: "from-file" }, vault: settings });
    source.close();

    expect(source.get("token")).toBe("from-file");
    expect(source.get("only")).toBe("vault");
    expect(source.get("none")).toBeUndefined();
    expect(source.values().sort()).toEqual(["from-file", "vault"]);
  });

  it("refreshes from Vault and keeps the last good values when Vault fails", async () => {
    vault.data.set("secret/ci/eve", { token: "v1" });
    const source = await createSecretSource({ secrets: {}, vault: settings }, { refreshIntervalMs: 0 });
    vault.data.set("secret/ci/eve", { token: "v2" });

    await source.refresh();
    vault.status = 500;
    await expect(source.refresh()).rejects.toThrow(/HTTP 500/);
    vault.status = undefined;

    expect(source.get("token")).toBe("v2");
  });

  it("fails at start when Vault cannot be read, and works without Vault", async () => {
    await expect(createSecretSource({ secrets: {}, vault: { ...settings, token: "bad" } })).rejects.toThrow(/permission denied/);
    expect((await createSecretSource({ secrets: { a: "1" }, vault: undefined })).get("a")).toBe("1");
  });
});
