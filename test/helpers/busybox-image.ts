/**
 * The base image of the Docker tests. No registry is reachable here, so it is
 * built FROM scratch from Debian's static busybox, once per engine.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BUSYBOX_IMAGE = "eve-test-busybox:latest";

const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /tmp /root && chmod 1777 /tmp
ENV PATH=/usr/local/bin:/usr/bin:/bin
`;

/** Builds BUSYBOX_IMAGE unless the engine has it; returns its name. */
export function ensureBusyboxImage(): string {
  try {
    execFileSync("docker", ["image", "inspect", BUSYBOX_IMAGE], { stdio: "pipe" });
    return BUSYBOX_IMAGE;
  } catch {
    // Not there yet: build it.
  }
  const dir = mkdtempSync(join(tmpdir(), "eve-busybox-"));
  try {
    copyFileSync("/bin/busybox", join(dir, "busybox"));
    writeFileSync(join(dir, "Dockerfile"), DOCKERFILE);
    execFileSync("docker", ["build", "-q", "-t", BUSYBOX_IMAGE, dir], { stdio: "pipe", env: { ...process.env, DOCKER_BUILDKIT: "0" } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return BUSYBOX_IMAGE;
}
