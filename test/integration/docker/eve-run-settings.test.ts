/**
 * `eve run` honours the operator's worker settings from its environment, on a
 * real engine: EVE_DOCKER_MAX_MEMORY is the ceiling and the default of a
 * docker stage's memory; a bad setting stops it before anything runs; a
 * kube_pod stage without a reachable cluster says why.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { useEveTmpdir } from "../../helpers/eve-tmpdir.js";

const stage = `settings-${randomUUID().slice(0, 8)}`;
let repo = "";
const eveTmp = useEveTmpdir();

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `eve run --stage NAME` from the sources, in its own process, with these settings added to the environment. */
function eveRun(stageName: string, settings: Record<string, string>): Promise<RunResult> {
  const env = eveTmp.env(settings);
  // The worker settings under test come from `settings` only.
  for (const name of Object.keys(env)) if ((name.startsWith("EVE_DOCKER_") || name.startsWith("EVE_KUBE_")) && !(name in settings)) delete env[name];
  const script = `const { main } = await import("./src/cli/main.ts"); process.exitCode = await main(${JSON.stringify(["run", "--dir", repo, "--stage", stageName])});`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], { stdio: ["ignore", "pipe", "pipe"], env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

function stageContainers(): string[] {
  return execFileSync("docker", ["ps", "-aq", "--filter", "label=eve.instance=eve-run", "--filter", `label=eve.stage=${stage}`], { encoding: "utf8" }).split("\n").filter(Boolean);
}

beforeAll(() => {
  const image = ensureBusyboxImage();
  repo = mkdtempSync(join(tmpdir(), "eve-run-settings-"));
  mkdirSync(join(repo, "eve"));
  const memoryCommand = "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes";
  writeFileSync(
    join(repo, "eve/main.yml"),
    `version: 0.2
branches:
  default:
    stage: ${stage}
stages:
  ${stage}:
    worker: {type: docker, image: ${image}, memory: 64m}
    steps:
      - ShellCommand: {name: limit, command: "${memoryCommand}"}
  ${stage}-default:
    worker: {type: docker, image: ${image}}
    steps:
      - ShellCommand: {name: limit, command: "${memoryCommand}"}
  ${stage}-kube:
    worker: {type: kube_pod, path: eve/pod.yaml}
    steps:
      - ShellCommand: {name: never, command: "true"}
`,
  );
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe.concurrent("eve run with the operator's docker settings", () => {
  it("refuses a docker stage whose memory is above EVE_DOCKER_MAX_MEMORY, and leaves no container", async () => {
    const { code, stdout } = await eveRun(stage, { EVE_DOCKER_MAX_MEMORY: "32m" });

    expect(code).toBe(1);
    expect(stdout).toContain("memory '64m' is above this Eve's maximum of 32m");
    expect(stdout).toContain("eve run: failure");
    expect(stageContainers()).toEqual([]);
  });

  it("gives a stage without memory the EVE_DOCKER_MAX_MEMORY limit", async () => {
    const { code, stdout } = await eveRun(`${stage}-default`, { EVE_DOCKER_MAX_MEMORY: "48m" });

    expect(code).toBe(0);
    expect(stdout).toContain(`${48 * 1024 * 1024}\n`);
  });

  it("stops at a bad setting before running anything (exit 2, one line each)", async () => {
    const { code, stderr } = await eveRun(stage, { EVE_DOCKER_MAX_MEMORY: "lots", EVE_DOCKER_NETWORK: "two words" });

    expect(code).toBe(2);
    expect(stderr).toBe(
      "eve run: EVE_DOCKER_MAX_MEMORY=lots: expected a Docker memory size of at least 6m, e.g. 4G or 512m\n" +
        "eve run: EVE_DOCKER_NETWORK=two words: expected none, host, bridge or the name of a Docker network\n",
    );
  });

  it("says why a kube_pod stage cannot run without a reachable cluster", async () => {
    const { code, stdout, stderr } = await eveRun(`${stage}-kube`, { EVE_KUBE_CONFIG: join(repo, "no-kubeconfig") });

    expect(code).toBe(1);
    expect(stderr).toContain(`eve run: kube_pod stages cannot run here: EVE_KUBE_CONFIG=${join(repo, "no-kubeconfig")}: cannot read it (ENOENT)`);
    expect(stdout).toContain("this Eve has no 'kube_pod' workers");
  });
});
