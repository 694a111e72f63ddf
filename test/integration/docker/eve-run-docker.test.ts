import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { useEveTmpdir } from "../../helpers/eve-tmpdir.js";

// `eve run` labels what it creates with this instance.
const INSTANCE = "eve-run";
const stage = `docker-${randomUUID().slice(0, 8)}`;
let repo = "";
const eveTmp = useEveTmpdir();

/** `eve <args>` from the sources, as a separate process. */
function eve(args: string[]): ReturnType<typeof spawn> {
  const script = `const { main } = await import("./src/cli/main.ts"); process.exitCode = await main(${JSON.stringify(args)});`;
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], { stdio: ["ignore", "pipe", "pipe"], env: eveTmp.env() });
}

function finish(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stdout: string }> {
  let stdout = "";
  child.stdout?.on("data", (data: Buffer) => (stdout += data.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout })));
}

function stageContainers(): string[] {
  return execFileSync("docker", ["ps", "-aq", "--filter", `label=eve.instance=${INSTANCE}`, "--filter", `label=eve.stage=${stage}`], { encoding: "utf8" }).split("\n").filter(Boolean);
}

beforeAll(() => {
  ensureBusyboxImage();
  repo = mkdtempSync(join(tmpdir(), "eve-run-docker-"));
  mkdirSync(join(repo, "eve/workers/ci"), { recursive: true });
  writeFileSync(join(repo, "eve/workers/ci/Dockerfile"), `FROM eve-test-busybox\nRUN echo ${stage} > /image-ok\n`);
  writeFileSync(
    join(repo, "eve/main.yml"),
    `version: 0.2
branches:
  default:
    stage: ${stage}
stages:
  ${stage}:
    worker:
      type: docker
      path: eve/workers/ci
      memory: 64m
      volumes: ['/home/eve/workspace']
    steps:
      - ShellCommand:
          name: image and memory
          command: cat /image-ok && (cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
      - ShellCommand:
          name: failing
          command: exit 3
  long:
    worker:
      type: docker
      image: eve-test-busybox
    steps:
      - ShellCommand:
          name: long
          command: echo running-long-step && sleep 600
`,
  );
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
  const images = execFileSync("docker", ["images", "-q", "--filter", `label=eve.stage=${stage}`], { encoding: "utf8" }).split("\n").filter(Boolean);
  if (images.length > 0) execFileSync("docker", ["rmi", "-f", ...new Set(images)], { stdio: "pipe" });
});

describe("eve run with a docker stage", () => {
  it("builds the worker image, runs the steps in it, reports exact exit codes, leaves no container", async () => {
    const report = join(repo, "report.json");

    const { code, stdout } = await finish(eve(["run", "--dir", repo, "--stage", stage, "--report", report]));

    expect(code).toBe(1);
    expect(stdout).toContain(`${stage}\n`);
    expect(stdout).toContain(`${64 * 1024 * 1024}\n`);
    const result = JSON.parse(readFileSync(report, "utf8")) as { stages: { steps: { name: string; result: string; exitCode: number | null }[] }[] };
    expect(result.stages[0]?.steps.map((step) => [step.name, step.result, step.exitCode])).toEqual([
      ["image and memory", "success", 0],
      ["failing", "failure", 3],
    ]);
    expect(stageContainers()).toEqual([]);
  });

  it("leaves nothing once `eve reap` runs after `eve run` was killed with SIGKILL mid-step", async () => {
    const run = eve(["run", "--dir", repo, "--stage", "long"]);
    const longContainers = (): string[] =>
      execFileSync("docker", ["ps", "-aq", "--filter", `label=eve.instance=${INSTANCE}`, "--filter", "label=eve.stage=long", "--filter", `label=eve.owner.pid=${run.pid}`], { encoding: "utf8" }).split("\n").filter(Boolean);
    await new Promise<void>((resolve, reject) => {
      run.stdout?.on("data", (data: Buffer) => {
        if (data.toString().includes("running-long-step")) resolve();
      });
      run.once("exit", (code) => reject(new Error(`eve run ended early (${code})`)));
    });
    run.removeAllListeners("exit");
    const killed = new Promise((resolve) => run.once("exit", resolve));
    run.kill("SIGKILL");
    await killed;
    expect(longContainers()).toHaveLength(1);
    const ownDirs = (): string[] => {
      const base = eveTmp.workspaces;
      if (!existsSync(base)) return [];
      return readdirSync(base).filter((name) => name.startsWith(`run-${run.pid}-`));
    };
    expect(ownDirs().length).toBeGreaterThan(0);

    const { code, stdout } = await finish(eve(["reap", "--instance", INSTANCE]));

    expect(code).toBe(0);
    expect(stdout).toMatch(/removed container eve-\S+ \(build \S+, stage long, attempt 1, run \S+\)/);
    expect(longContainers()).toEqual([]);
    expect(ownDirs()).toEqual([]);
  });
});
