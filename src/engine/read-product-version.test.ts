import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getProductVersionScriptPath, readProductVersion } from "./read-product-version.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function repoWithScript(script: string | undefined): string {
  dir = mkdtempSync(join(tmpdir(), "eve-product-version-"));
  mkdirSync(join(dir, "eve"));
  if (script !== undefined) writeFileSync(join(dir, "eve", "get_product_version.sh"), script);
  return dir;
}

describe("readProductVersion", () => {
  it("is 0.0.0 without a script", async () => {
    expect(await readProductVersion(repoWithScript(undefined), "eve/main.yml")).toBe("0.0.0");
  });

  it("runs the script from the repository root", async () => {
    const repo = repoWithScript("cat VERSION\n");
    writeFileSync(join(repo, "VERSION"), "2.4.1\n");

    expect(await readProductVersion(repo, "eve/main.yml")).toBe("2.4.1");
  });

  it("gives the script only the environment it is handed", async () => {
    const repo = repoWithScript('echo "1.${EVE_TEST_SECRET:-0}"\n');
    process.env.EVE_TEST_SECRET = "7";
    try {
      expect(await readProductVersion(repo, "eve/main.yml", { env: { PATH: process.env.PATH ?? "" } })).toBe("1.0");
    } finally {
      delete process.env.EVE_TEST_SECRET;
    }
  });

  it.each([
    ["echo 1", "printed '1': expected 2 to 4 dot-separated integers"],
    ["echo 1.2.3.4.5", "printed '1.2.3.4.5'"],
    ["echo v1.2", "printed 'v1.2'"],
    ["echo oops >&2; exit 3", "eve/get_product_version.sh failed: oops"],
  ])("refuses `%s`", async (script, message) => {
    await expect(readProductVersion(repoWithScript(script), "eve/main.yml")).rejects.toThrow(message);
  });

  it("finds the script beside a build file at the root", () => {
    expect(getProductVersionScriptPath("main.yml")).toBe("get_product_version.sh");
    expect(getProductVersionScriptPath("ci/eve/main.yml")).toBe("ci/eve/get_product_version.sh");
  });
});
