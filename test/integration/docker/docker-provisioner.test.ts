import { execFileSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DockerProvisioner } from "../../../src/provisioners/docker/docker-provisioner.js";
import { ProvisionError, type Workspace } from "../../../src/provisioners/types.js";
import { ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { collectExec, labelledContainers, spawnContext, uniqueInstance } from "./docker-fixtures.js";

const instance = uniqueInstance();
const provisioner = new DockerProvisioner({ settings: { maxMemory: "256m", allowedBindPaths: ["/tmp/eve-allowed"] } });
const workspaces: Workspace[] = [];
const volumes: string[] = [];

async function spawn(extra: { memory?: string; volumes?: string[] } = {}): Promise<Workspace> {
  const workspace = await provisioner.spawn({ type: "docker", image: "eve-test-busybox:%(prop:tag)s", ...extra }, spawnContext(instance));
  workspaces.push(workspace);
  return workspace;
}

beforeAll(() => {
  ensureBusyboxImage();
});

afterEach(async () => {
  for (const workspace of workspaces.splice(0)) await workspace.teardown();
  expect(labelledContainers(instance)).toEqual([]);
});

afterAll(() => {
  for (const volume of volumes) execFileSync("docker", ["volume", "rm", "-f", volume], { stdio: "pipe" });
});

describe("DockerProvisioner with a static image", () => {
  it("runs shell and argv steps in the workdir with the step's env, exact exit codes and separate streams", async () => {
    const workspace = await spawn();
    const shell = collectExec({ env: { GREETING: "hello" } });
    const argv = collectExec({ workdir: "/work/sub" });

    const first = await workspace.exec({ shell: 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 3' }, shell.options);
    const second = await workspace.exec({ argv: ["sh", "-c", "pwd; exit 0"] }, argv.options);

    expect(first).toMatchObject({ exitCode: 3, killedBy: null });
    expect(shell.stdout()).toBe("hello from /home/eve/workspace/build\n");
    expect(shell.stderr()).toBe("oops\n");
    expect(second).toMatchObject({ exitCode: 0, killedBy: null });
    expect(argv.stdout()).toBe("/work/sub\n");
    expect(workspace.builderDir).toBe("/home/eve/workspace");
  });

  it("runs a step with a terminal when usePty is set", async () => {
    const workspace = await spawn();
    const exec = collectExec({ usePty: true });

    const result = await workspace.exec({ shell: "test -t 1 && echo tty" }, exec.options);

    expect(result.exitCode).toBe(0);
    expect(exec.stdout()).toBe("tty\r\n");
  });

  it("labels the container with the stage run and names it after the run", async () => {
    const context = spawnContext(instance);
    const workspace = await provisioner.spawn({ type: "docker", image: "eve-test-busybox" }, context);
    workspaces.push(workspace);

    const labels = JSON.parse(execFileSync("docker", ["inspect", "--format", "{{json .Config.Labels}}", workspace.id], { encoding: "utf8" })) as Record<string, string>;
    const name = execFileSync("docker", ["inspect", "--format", "{{.Name}}", workspace.id], { encoding: "utf8" }).trim();

    expect(labels).toMatchObject({ "eve.instance": instance, "eve.build": "b1", "eve.stage": "docker-stage", "eve.attempt": "1", "eve.run": context.labels.run, "eve.owner.pid": String(process.pid) });
    expect(name).toBe(`/eve-${context.labels.run}`);
  });

  it("expands ${NAME} in step env from the container's environment", async () => {
    const workspace = await spawn();
    const exec = collectExec({ env: { PATH: "/opt/tools:${PATH}" } });

    await workspace.exec({ shell: "echo $PATH" }, exec.options);

    expect(exec.stdout()).toBe("/opt/tools:/usr/local/bin:/usr/bin:/bin\n");
  });

  it("kills a step that prints nothing for longer than its timeout, with its children", async () => {
    const workspace = await spawn();
    const exec = collectExec({ timeoutMs: 400, killGraceMs: 300 });

    const result = await workspace.exec({ shell: "echo start; sleep 30 & sleep 30; echo never" }, exec.options);
    const left = collectExec();
    await workspace.exec({ shell: "ps -o comm | grep -c '^sleep' || true" }, left.options);

    expect(result).toMatchObject({ exitCode: null, killedBy: "timeout" });
    expect(result.durationMs).toBeLessThan(5_000);
    expect(exec.stdout()).toBe("start\n");
    // Only the container's idle process sleeps now.
    expect(left.stdout()).toBe("1\n");
  });

  it("waits for a slow consumer (backpressure) and loses no output", async () => {
    const workspace = await spawn();
    const chunks: Buffer[] = [];
    const exec = collectExec({
      onOutput: async (chunk) => {
        chunks.push(chunk);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });

    const result = await workspace.exec({ shell: "seq 1 20000" }, exec.options);

    const expected = Array.from({ length: 20000 }, (_, i) => `${i + 1}\n`).join("");
    expect(result.exitCode).toBe(0);
    expect(Buffer.concat(chunks).toString()).toBe(expected);
  });

  it("gives the container the stage's memory, readable inside it, and the maximum by default", async () => {
    const limited = await spawn({ memory: "64m" });
    const byDefault = await spawn();
    const read = "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes";
    const small = collectExec();
    const max = collectExec();

    await limited.exec({ shell: read }, small.options);
    await byDefault.exec({ shell: read }, max.options);

    expect(small.stdout()).toBe(`${64 * 1024 * 1024}\n`);
    expect(max.stdout()).toBe(`${256 * 1024 * 1024}\n`);
  });

  it("refuses memory above the operator's maximum with a clear message, leaving nothing", async () => {
    const context = spawnContext(instance);

    await expect(provisioner.spawn({ type: "docker", image: "eve-test-busybox", memory: "1G" }, context)).rejects.toThrow(ProvisionError);

    expect(context.lines).toEqual(["eve: memory '1G' is above this Eve's maximum of 256m"]);
  });

  it("mounts named and anonymous volumes, removes the anonymous one with the container", async () => {
    const name = `${instance}-cache`;
    volumes.push(name);
    const first = await spawn({ volumes: [`${name}:/cache`, "/scratch"] });
    const write = collectExec();
    await first.exec({ shell: "echo kept > /cache/file; echo gone > /scratch/file" }, write.options);
    const anonymous = execFileSync("docker", ["inspect", "--format", '{{range .Mounts}}{{if eq .Destination "/scratch"}}{{.Name}}{{end}}{{end}}', first.id], { encoding: "utf8" }).trim();
    await first.teardown();

    const second = await spawn({ volumes: [`${name}:/cache:ro`] });
    const read = collectExec();
    const result = await second.exec({ shell: "cat /cache/file; echo again > /cache/file" }, read.options);

    expect(read.stdout()).toBe("kept\n");
    expect(result.exitCode).not.toBe(0);
    expect(anonymous).not.toBe("");
    expect(execFileSync("docker", ["volume", "ls", "-q", "--filter", `name=${anonymous}`], { encoding: "utf8" })).toBe("");
  });

  it("refuses host bind mounts outside the allowed paths", async () => {
    const context = spawnContext(instance);

    await expect(provisioner.spawn({ type: "docker", image: "eve-test-busybox", volumes: ["/etc:/host-etc"] }, context)).rejects.toThrow(/not allowed/);

    expect(context.lines[0]).toContain("mounting host path '/etc' is not allowed");
  });
});
