import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getBootstrapProperties, needsProductVersionCheckout } from "./bootstrap-properties.js";
import type { StageJobData } from "./job-data.js";

const naming = { publicUrl: "http://eve.test/artifacts", privateUrl: "http://eve.test/artifacts", prefix: "staging-" };
const data: StageJobData = {
  installationId: 1,
  repository: { owner: "o", name: "r", id: 1 },
  sha: "0123456789abcdef0123456789abcdef01234567",
  branch: "main",
  buildFilePath: "eve/main.yml",
  stage: { build: "b1", stage: "pre-merge", attempt: 1, run: "r1" },
  workerType: "local",
  parent: undefined,
  properties: {
    git_host: "github",
    git_owner: "o",
    git_slug: "r",
    product_version: "0.0.0",
    commit_short_revision: "0123456789",
    stage_name: "pre-merge",
    bootstrap: 3,
    eve_api_version: "0.2",
  },
  forcedProperties: [],
  checkRunId: undefined,
  createdAt: 0,
  productVersionScript: true,
};

let repo: string | undefined;
afterEach(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
  repo = undefined;
});

function checkoutWithScript(script: string): string {
  repo = mkdtempSync(join(tmpdir(), "eve-bootstrap-"));
  mkdirSync(join(repo, "eve"));
  writeFileSync(join(repo, "eve", "get_product_version.sh"), script);
  const git = (...args: string[]) => execFileSync("git", ["-C", repo ?? "", ...args], { env: { ...process.env, GIT_COMMITTER_DATE: "2024-01-02T03:04:05Z", GIT_AUTHOR_DATE: "2024-01-02T03:04:05Z" } });
  git("init", "-q");
  git("add", ".");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x");
  return repo;
}

describe("getBootstrapProperties", () => {
  it("runs the product version script and names the container after it and the commit date", async () => {
    const checkout = checkoutWithScript("echo 2.4.1");

    const properties = await getBootstrapProperties(data, { naming, checkout, signal: new AbortController().signal });

    expect(properties).toMatchObject({
      product_version: "2.4.1",
      commit_timestamp: "240102030405",
      artifacts_name: "github:o:r:staging-2.4.1.r240102030405.0123456789.pre-merge.00000003",
    });
  });

  it("leaves a triggered stage's properties as its parent gave them", async () => {
    const child = { ...data, parent: data.stage };

    expect(needsProductVersionCheckout(child)).toBe(false);
    expect(await getBootstrapProperties(child, { naming, checkout: undefined, signal: new AbortController().signal })).toBe(child.properties);
  });

  it("never runs a fork's script on the Eve host", async () => {
    const fork = { ...data, untrusted: true as const, properties: { ...data.properties, commit_timestamp: "240102030405" } };
    const checkout = checkoutWithScript("touch ran; echo 9.9");

    expect(needsProductVersionCheckout(fork)).toBe(false);
    expect(await getBootstrapProperties(fork, { naming, checkout, signal: new AbortController().signal })).toMatchObject({ product_version: "0.0.0" });
    expect(existsSync(join(checkout, "ran"))).toBe(false);
  });

  it("fails the build when the script prints no version", async () => {
    const checkout = checkoutWithScript("echo latest");

    await expect(getBootstrapProperties(data, { naming, checkout, signal: new AbortController().signal })).rejects.toThrow("printed 'latest'");
  });
});
