/**
 * Eve's Docker* steps against the real engine and a real registry on
 * localhost: build from the checkout, look up, fingerprint, push, pull.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerClient } from "../../../src/provisioners/docker/docker-client.js";
import { DockerStepsService } from "../../../src/provisioners/docker/docker-steps-service.js";
import { ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../helpers/engine-harness.js";
import { startLocalRegistry, type LocalRegistry } from "../../helpers/kube-stand-in/local-registry.js";
import { uniqueInstance } from "./docker-fixtures.js";

const instance = uniqueInstance();
const base = createWorkspaceBase();
const repo = mkdtempSync(join(tmpdir(), "eve-docker-steps-repo-"));
const docker = new DockerStepsService(async () => new DockerClient(), new Map());
let registry: LocalRegistry;
let image: string;

beforeAll(async () => {
  ensureBusyboxImage();
  registry = await startLocalRegistry();
  image = `${registry.host}/eve-test/${instance}:1`;
  mkdirSync(join(repo, "eve/image"), { recursive: true });
  writeFileSync(join(repo, "eve/image/Dockerfile"), "FROM eve-test-busybox\nARG GREETING\nRUN echo \"$GREETING\" > /greeting\n");
  writeFileSync(join(repo, "eve/image/data.txt"), "one\n");
}, 60_000);

afterAll(async () => {
  execFileSync("sh", ["-c", `docker rmi -f $(docker images -q --filter reference='${registry.host}/eve-test/${instance}*') 2>/dev/null || true`]);
  await registry.stop();
  base.cleanup();
  rmSync(repo, { recursive: true, force: true });
});

async function run(steps: [string, Record<string, unknown>][]) {
  const { outcome, observer } = await runBuild(base.baseDir, buildFileOf({ s: steps }), "s", { repoDir: repo, services: { docker } });
  return { outcome, log: observer.log("s") };
}

describe("Docker* steps", () => {
  it("build an image from the checkout with labels and build args, find it, fingerprint its context, push it and pull it back", async () => {
    const first = await run([
      ["DockerComputeImageFingerprint", { label: "app", context_dir: "eve/image" }],
      ["DockerCheckLocalImage", { label: "before", image }],
      ["DockerBuild", { label: "app", image, context_dir: "eve/image", labels: { "eve.test": instance }, build_args: { GREETING: "hello" } }],
      ["DockerCheckLocalImage", { label: "after", image }],
      ["DockerPush", { label: "app", image }],
    ]);

    expect(first.outcome.steps.map((step) => [step.name, step.result])).toEqual([
      ["[app] fingerprint", "success"],
      ["[before] look up", "success"],
      ["[app] build", "success"],
      ["[after] look up", "success"],
      ["[app] push", "success"],
    ]);
    expect(first.outcome.properties).toMatchObject({ exists_before: false, exists_after: true });
    expect(first.outcome.properties.fingerprint_app).toMatch(/^[0-9a-f]{64}$/);
    expect(execFileSync("docker", ["run", "--rm", "--network", "none", image, "cat", "/greeting"], { encoding: "utf8" })).toBe("hello\n");
    expect(execFileSync("docker", ["inspect", "--format", "{{index .Config.Labels \"eve.test\"}}", image], { encoding: "utf8" }).trim()).toBe(instance);
    expect(await registry.tags(`eve-test/${instance}`)).toEqual(["1"]);

    execFileSync("docker", ["rmi", image], { stdio: "pipe" });
    writeFileSync(join(repo, "eve/image/data.txt"), "two\n");
    const second = await run([
      ["DockerPull", { label: "app", image }],
      ["DockerPull", { label: "missing", image: `${registry.host}/eve-test/${instance}:nope` }],
      ["DockerComputeImageFingerprint", { label: "app", context_dir: "eve/image" }],
    ]);

    expect(second.outcome.result).toBe("success");
    expect(second.outcome.properties).toMatchObject({ exists_app: true, exists_missing: false });
    expect(second.outcome.properties.fingerprint_app).not.toBe(first.outcome.properties.fingerprint_app);
  });

  it("fails a build whose Dockerfile fails, setting DockerBuildFailed, and a push the registry refuses", async () => {
    writeFileSync(join(repo, "eve/image/Dockerfile.bad"), "FROM eve-test-busybox\nRUN exit 3\n");
    const bad = `${registry.host}/eve-test/${instance}-bad:1`;

    const { outcome } = await run([
      ["DockerBuild", { label: "bad", image: bad, context_dir: "eve/image", dockerfile: "eve/image/Dockerfile.bad" }],
      ["DockerPush", { label: "nothing", image: `${registry.host}/eve-test/${instance}-never-built:1` }],
    ]);

    expect(outcome.steps.map((step) => step.result)).toEqual(["failure", "failure"]);
    expect(outcome.properties.DockerBuildFailed).toBe(bad);
    expect(outcome.steps[0]?.summary).toContain(`docker build of ${bad} failed`);
  });

  it("keeps every path inside the checkout", async () => {
    symlinkSync("/etc", join(repo, "etc-link"));

    const { outcome } = await run([
      ["DockerBuild", { label: "out", image: `${registry.host}/eve-test/${instance}-out:1`, context_dir: "../.." }],
      ["DockerComputeImageFingerprint", { label: "link", context_dir: "etc-link" }],
      ["DockerBuild", { label: "abs", image: `${registry.host}/eve-test/${instance}-abs:1`, context_dir: "eve/image", dockerfile: "/etc/passwd" }],
    ]);

    expect(outcome.steps.map((step) => step.result)).toEqual(["failure", "failure", "failure"]);
  });
});
