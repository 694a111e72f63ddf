import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DockerWorkerSpec } from "../../../src/provisioners/docker/docker-worker-spec.js";
import { DockerProvisioner } from "../../../src/provisioners/docker/docker-provisioner.js";
import type { Workspace } from "../../../src/provisioners/types.js";
import { ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { collectExec, labelledContainers, spawnContext, uniqueInstance } from "./docker-fixtures.js";

const instance = uniqueInstance();
const provisioner = new DockerProvisioner();
const workspaces: Workspace[] = [];
let repo = "";

function write(path: string, text: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}

async function spawn(spec: Omit<DockerWorkerSpec, "type">, p = provisioner): Promise<{ workspace: Workspace; lines: string[] }> {
  const context = spawnContext(instance, { repoDir: repo });
  const workspace = await p.spawn({ type: "docker", ...spec }, context);
  workspaces.push(workspace);
  return { workspace, lines: context.lines };
}

async function run(workspace: Workspace, shell: string): Promise<string> {
  const exec = collectExec();
  await workspace.exec({ shell }, exec.options);
  return exec.stdout();
}

function instanceImages(): string[] {
  return execFileSync("docker", ["images", "-q", "--filter", `label=eve.instance=${instance}`], { encoding: "utf8" }).split("\n").filter(Boolean);
}

beforeAll(() => {
  ensureBusyboxImage();
  repo = mkdtempSync(join(tmpdir(), "eve-docker-repo-"));
  write("eve/workers/master/Dockerfile", "FROM eve-test-busybox\nCOPY greeting /greeting\nRUN echo built > /built\n");
  write("eve/workers/master/greeting", "hello\n");
});

afterEach(async () => {
  for (const workspace of workspaces.splice(0)) await workspace.teardown();
  expect(labelledContainers(instance)).toEqual([]);
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
  const images = instanceImages();
  if (images.length > 0) execFileSync("docker", ["rmi", "-f", ...new Set(images)], { stdio: "pipe" });
});

describe("DockerProvisioner with an image built from the repository", () => {
  it("builds the context, runs the stage in it, and reuses the image while the context is unchanged", async () => {
    const first = await spawn({ path: "eve/workers/master" });
    const firstImage = execFileSync("docker", ["inspect", "--format", "{{.Image}}", first.workspace.id], { encoding: "utf8" });
    const output = await run(first.workspace, "cat /greeting /built");

    const second = await spawn({ path: "eve/workers/master" });
    const secondImage = execFileSync("docker", ["inspect", "--format", "{{.Image}}", second.workspace.id], { encoding: "utf8" });

    expect(output).toBe("hello\nbuilt\n");
    expect(first.lines.some((line) => line.startsWith("eve: building image eve-" + instance + "/master:"))).toBe(true);
    expect(second.lines.filter((line) => line.includes("building"))).toEqual([]);
    expect(second.lines).toEqual([expect.stringMatching(/^eve: using image .* \(build context unchanged\)$/)]);
    expect(secondImage).toBe(firstImage);
    const labels = JSON.parse(execFileSync("docker", ["image", "inspect", "--format", "{{json .Config.Labels}}", firstImage.trim()], { encoding: "utf8" })) as Record<string, string>;
    expect(labels).toEqual({ "eve.instance": instance, "eve.build": "b1", "eve.stage": "docker-stage", "eve.attempt": "1", "eve.image": "eve/workers/master" });
  });

  it("labels images literally, whatever the stage name holds", async () => {
    write("eve/odd/Dockerfile", "FROM eve-test-busybox\nRUN echo odd > /odd");
    const context = spawnContext(instance, { repoDir: repo });
    context.labels.stage = 'st"age $HOME \\ end';
    const workspace = await provisioner.spawn({ type: "docker", path: "eve/odd" }, context);
    workspaces.push(workspace);

    const image = execFileSync("docker", ["inspect", "--format", "{{.Image}}", workspace.id], { encoding: "utf8" }).trim();
    const labels = JSON.parse(execFileSync("docker", ["image", "inspect", "--format", "{{json .Config.Labels}}", image], { encoding: "utf8" })) as Record<string, string>;

    expect(labels["eve.stage"]).toBe('st"age $HOME \\ end');
    expect(context.lines.filter((line) => line.startsWith("Step "))).toHaveLength(3);
  });

  it("rebuilds when a file of the context changes", async () => {
    const before = await spawn({ path: "eve/workers/master" });
    write("eve/workers/master/greeting", "changed\n");

    const after = await spawn({ path: "eve/workers/master" });

    expect(await run(after.workspace, "cat /greeting")).toBe("changed\n");
    expect(after.lines.some((line) => line.includes("building image"))).toBe(true);
    expect(before.lines.some((line) => line.includes("building image"))).toBe(false);
    write("eve/workers/master/greeting", "hello\n");
  });

  it("takes a Dockerfile from outside the context", async () => {
    write("eve/ctx/data.txt", "from the context\n");
    write("eve/dockerfiles/Dockerfile.custom", "FROM eve-test-busybox\nCOPY data.txt /data.txt\n");

    const { workspace } = await spawn({ path: "eve/ctx", dockerfile: "eve/dockerfiles/Dockerfile.custom" });

    expect(await run(workspace, "cat /data.txt")).toBe("from the context\n");
  });

  // Real worker Dockerfiles say `ARG BUILDBOT_VERSION` then `pip install buildbot-worker==${BUILDBOT_VERSION}`: Eve always passed it.
  it("passes Eve's BUILDBOT_VERSION build arg to Dockerfiles that declare it, and no unused arg to others", async () => {
    write("eve/bb/Dockerfile", "FROM eve-test-busybox\nARG BUILDBOT_VERSION\nRUN test -n \"$BUILDBOT_VERSION\" && echo \"$BUILDBOT_VERSION\" > /bbv\n");

    const declared = await spawn({ path: "eve/bb" });
    write("eve/plain/Dockerfile", "FROM eve-test-busybox\nRUN echo plain > /plain\n");
    const plain = await spawn({ path: "eve/plain" });

    expect(await run(declared.workspace, "cat /bbv")).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(plain.lines).toContainEqual(expect.stringMatching(/^Successfully built /));
    expect(plain.lines.filter((line) => line.includes("not consumed"))).toEqual([]);
  });

  it("prefers a static image over path", async () => {
    const { workspace, lines } = await spawn({ path: "eve/workers/master", image: "eve-test-busybox" });

    expect(await run(workspace, "test -e /built && echo built || echo plain")).toBe("plain\n");
    expect(lines).toEqual([]);
  });

  it("retries a failed build once without cache, then fails with the build's output in the log and leaves no dangling layer", async () => {
    write("eve/broken/Dockerfile", "FROM eve-test-busybox\nRUN echo layer > /layer\nRUN echo broken-build-output && exit 7\n");
    const context = spawnContext(instance, { repoDir: repo });

    await expect(provisioner.spawn({ type: "docker", path: "eve/broken" }, context)).rejects.toThrow(/building the image from 'eve\/broken' failed: .*returned a non-zero code: 7/);

    expect(context.lines.filter((line) => line === "broken-build-output")).toHaveLength(2);
    expect(context.lines.some((line) => line.endsWith("without cache"))).toBe(true);
    const layers = context.lines.flatMap((line) => /^ ---> ([0-9a-f]{12})$/.exec(line)?.[1] ?? []);
    const leftovers = layers.filter((id) => {
      try {
        execFileSync("docker", ["image", "inspect", id], { stdio: "pipe" });
        return !execFileSync("docker", ["image", "inspect", "--format", "{{.RepoTags}}", id], { encoding: "utf8" }).includes("eve-test-busybox");
      } catch {
        return false;
      }
    });
    expect(layers.length).toBeGreaterThan(0);
    expect(leftovers).toEqual([]);
  });

  it.each([
    ["a link in the context", { path: "eve/linked" }, /contains a link, 'escape'/],
    ["a path with '..'", { path: "eve/../.." }, /must not contain '\.\.'/],
    ["an absolute path", { path: "/etc" }, /must be relative to the repository/],
    ["a dockerfile leaving the repository", { path: "eve/ctx", dockerfile: "../Dockerfile" }, /must not contain '\.\.'/],
    ["a context that is a link", { path: "eve/link-to-ctx" }, /goes through a link/],
    ["a missing context", { path: "eve/nowhere" }, /no such directory/],
  ])("refuses %s", async (_, spec, message) => {
    write("eve/linked/Dockerfile", "FROM eve-test-busybox\n");
    rmSync(join(repo, "eve/linked/escape"), { force: true });
    symlinkSync("/etc/passwd", join(repo, "eve/linked/escape"));
    rmSync(join(repo, "eve/link-to-ctx"), { force: true });
    symlinkSync(join(repo, "eve/ctx"), join(repo, "eve/link-to-ctx"));
    write("eve/ctx/Dockerfile", "FROM eve-test-busybox\n");
    const context = spawnContext(instance, { repoDir: repo });

    await expect(provisioner.spawn({ type: "docker", ...spec }, context)).rejects.toThrow(message);

    expect(context.lines).toEqual([expect.stringMatching(message)]);
  });

  it("applies .dockerignore: ignored files neither travel nor change the image", async () => {
    write("eve/ignoring/Dockerfile", "FROM eve-test-busybox\nCOPY . /ctx\n");
    write("eve/ignoring/.dockerignore", "*.log\nbuild/**\n!build/keep\n");
    write("eve/ignoring/app.log", "noise\n");
    write("eve/ignoring/build/out", "noise\n");
    write("eve/ignoring/build/keep", "kept\n");
    write("eve/ignoring/src/main", "code\n");
    symlinkSync("/etc", join(repo, "eve/ignoring/ignored.log"));
    const first = await spawn({ path: "eve/ignoring" });
    write("eve/ignoring/app.log", "other noise\n");

    const second = await spawn({ path: "eve/ignoring" });

    expect((await run(first.workspace, "cd /ctx && find . -type f | sort")).split("\n")).toEqual(["./.dockerignore", "./Dockerfile", "./build/keep", "./src/main", ""]);
    expect(second.lines.some((line) => line.includes("build context unchanged"))).toBe(true);
  });

  it("keeps at most maxCachedImages worker images, evicting the least recently used", async () => {
    const bounded = new DockerProvisioner({ settings: { maxCachedImages: 1 } });
    write("eve/one/Dockerfile", "FROM eve-test-busybox\nRUN echo one > /one\n");
    write("eve/two/Dockerfile", "FROM eve-test-busybox\nRUN echo two > /two\n");
    const one = await spawn({ path: "eve/one" }, bounded);
    await one.workspace.teardown();

    await spawn({ path: "eve/two" }, bounded);

    const tags = execFileSync("docker", ["images", "--format", "{{.Repository}}", "--filter", `label=eve.instance=${instance}`], { encoding: "utf8" });
    expect(tags).toContain(`eve-${instance}/two`);
    expect(tags).not.toContain(`eve-${instance}/one`);
  });
});
