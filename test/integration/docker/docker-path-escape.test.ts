/**
 * Paths in a docker stage that try to leave the repository or the host paths
 * the operator allowed, refused before anything is created on the engine.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvisioner } from "../../../src/provisioners/docker/docker-provisioner.js";
import { ProvisionError } from "../../../src/provisioners/types.js";
import { ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { labelledContainers, spawnContext, uniqueInstance } from "./docker-fixtures.js";

const root = realpathSync(mkdtempSync(join(tmpdir(), "eve-path-escape-")));
const allowed = join(root, "allowed");
const repo = join(root, "repo");
const instance = uniqueInstance();
const provisioner = new DockerProvisioner({ settings: { allowedBindPaths: [allowed] } });

beforeAll(() => {
  ensureBusyboxImage();
  mkdirSync(join(allowed, "cache"), { recursive: true });
  symlinkSync("/etc", join(allowed, "etc"));
  mkdirSync(join(repo, "eve/ctx"), { recursive: true });
  writeFileSync(join(repo, "eve/ctx/Dockerfile"), "FROM eve-test-busybox\n");
  symlinkSync("/etc", join(repo, "eve/etc"));
  symlinkSync("/etc/passwd", join(repo, "eve/Dockerfile.evil"));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a docker stage cannot leave its repository or the allowed host paths", () => {
  it.each([
    ["a bind mount through a link out of an allowed path", { image: "eve-test-busybox", volumes: [`${join(allowed, "etc")}:/host-etc:ro`] }, "resolves to '/etc', outside the host paths this Eve allows"],
    ["a bind mount below such a link", { image: "eve-test-busybox", volumes: [`${join(allowed, "etc/ssh")}:/ssh`] }, "resolves to '/etc/ssh'"],
    ["a bind mount with '..'", { image: "eve-test-busybox", volumes: [`${allowed}/../repo:/repo`] }, "'..'"],
    ["a context that is a link out", { path: "eve/etc" }, "worker path 'eve/etc': goes through a link"],
    ["a Dockerfile that is a link out", { path: "eve/ctx", dockerfile: "eve/Dockerfile.evil" }, "worker dockerfile 'eve/Dockerfile.evil': goes through a link"],
    ["an absolute context", { path: "/etc" }, "worker path '/etc': must be relative to the repository"],
    ["a context with '..'", { path: "eve/../../allowed" }, "must not contain '..'"],
  ])("refuses %s", async (_, spec, message) => {
    const context = spawnContext(instance, { repoDir: repo });

    await expect(provisioner.spawn({ type: "docker", ...spec }, context)).rejects.toThrow(ProvisionError);
    expect(context.lines.join("\n")).toContain(message);
    expect(labelledContainers(instance)).toEqual([]);
  });

  it("mounts an allowed host path by its real path", async () => {
    symlinkSync(join(allowed, "cache"), join(allowed, "cache-link"));
    writeFileSync(join(allowed, "cache/marker"), "here\n");
    const workspace = await provisioner.spawn({ type: "docker", image: "eve-test-busybox", volumes: [`${join(allowed, "cache-link")}:/cache:ro`] }, spawnContext(instance));
    try {
      const out: Buffer[] = [];
      const controller = new AbortController();
      const result = await workspace.exec({ shell: "cat /cache/marker" }, { workdir: "/", env: {}, timeoutMs: 30_000, maxTimeMs: 30_000, killGraceMs: 1000, usePty: false, onOutput: (chunk) => void out.push(chunk), signal: controller.signal });

      expect(result.exitCode).toBe(0);
      expect(Buffer.concat(out).toString()).toBe("here\n");
    } finally {
      await workspace.teardown();
    }
    expect(labelledContainers(instance)).toEqual([]);
  });
});
