/**
 * Steps can be killed in any image: one without /tmp (Eve once wrote the
 * step's pid there) through the provisioner, and a read-only root through the
 * in-container kill wrapper, which only reads /proc.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DockerProvisioner } from "../../../src/provisioners/docker/docker-provisioner.js";
import { killStepCommand, wrapStepCommand } from "../../../src/provisioners/supervise-wrapped-exec.js";
import type { Workspace } from "../../../src/provisioners/types.js";
import { collectExec, labelledContainers, spawnContext, uniqueInstance } from "./docker-fixtures.js";

const instance = uniqueInstance();
const IMAGE = `eve-test-no-tmp:${instance}`;
const provisioner = new DockerProvisioner({ settings: { maxMemory: "256m" } });
const workspaces: Workspace[] = [];
let readOnly: string | undefined;

beforeAll(() => {
  // busybox and nothing else: no /tmp, no /root.
  const dir = mkdtempSync(join(tmpdir(), "eve-no-tmp-"));
  try {
    copyFileSync("/bin/busybox", join(dir, "busybox"));
    writeFileSync(join(dir, "Dockerfile"), `FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nENV PATH=/bin\nLABEL eve.instance=${instance}\n`);
    execFileSync("docker", ["build", "-q", "-t", IMAGE, dir], { stdio: "pipe", env: { ...process.env, DOCKER_BUILDKIT: "0" } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

afterEach(async () => {
  for (const workspace of workspaces.splice(0)) await workspace.teardown();
  if (readOnly) execFileSync("docker", ["rm", "-f", readOnly], { stdio: "pipe" });
  readOnly = undefined;
  expect(labelledContainers(instance)).toEqual([]);
});

afterAll(() => {
  execFileSync("docker", ["rmi", "-f", IMAGE], { stdio: "pipe" });
});

describe("killing a step whatever the image", () => {
  it("kills a step on timeout, maxTime and cancel in an image without /tmp", async () => {
    const workspace = await provisioner.spawn({ type: "docker", image: IMAGE }, spawnContext(instance));
    workspaces.push(workspace);
    const cancel = new AbortController();

    const timeout = await workspace.exec({ shell: "echo start; sleep 30 & sleep 30" }, collectExec({ timeoutMs: 500, killGraceMs: 300 }).options);
    const maxTime = await workspace.exec({ shell: "while :; do echo tick; sleep 0.1; done" }, collectExec({ maxTimeMs: 500, killGraceMs: 300 }).options);
    const cancelled = workspace.exec({ argv: ["sleep", "30"] }, collectExec({ signal: cancel.signal, killGraceMs: 300 }).options);
    setTimeout(() => cancel.abort(), 300);
    const cancelledResult = await cancelled;
    const left = collectExec();
    await workspace.exec({ shell: "ps -o comm | grep -c '^sleep' || true" }, left.options);

    expect(timeout).toMatchObject({ killedBy: "timeout", exitCode: null });
    expect(timeout.durationMs).toBeLessThan(5_000);
    expect(maxTime).toMatchObject({ killedBy: "maxTime", exitCode: null });
    expect(cancelledResult).toMatchObject({ killedBy: "cancel", exitCode: null });
    // Nothing the steps started is left: only the container's idle process sleeps.
    expect(left.stdout()).toBe("1\n");
  });

  it("finds and kills the step's process group from inside a read-only container, writing nothing", async () => {
    readOnly = execFileSync("docker", ["run", "-d", "--read-only", "--network", "none", "--label", `eve.instance=${instance}`, IMAGE, "sleep", "3600"], { encoding: "utf8" }).trim();
    const token = "0123456789abcdef01234567";
    execFileSync("docker", ["exec", "-d", readOnly, ...wrapStepCommand({ shell: "sleep 31 & sleep 32" }, token, "/")], { stdio: "pipe" });
    const sleeping = () => execFileSync("docker", ["exec", readOnly ?? "", "ps", "-o", "args"], { encoding: "utf8" }).split("\n").filter((line) => /^sleep 3[12]/.test(line));
    await expect.poll(sleeping).toHaveLength(2);

    execFileSync("docker", ["exec", readOnly, ...killStepCommand(token, "TERM")], { stdio: "pipe" });

    await expect.poll(sleeping).toEqual([]);
  });
});
