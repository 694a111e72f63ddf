/**
 * `eve run` end to end, as a user runs it: `node bin/eve.js run` on a
 * temporary git repository (the project must be built: `npm run build`).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEveTmpdir } from "../helpers/eve-tmpdir.js";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "bin/eve.js");
const repo = mkdtempSync(join(tmpdir(), "eve-run-e2e-"));
const eveTmp = useEveTmpdir();

const BUILD_FILE = `
version: 0.2
branches:
  main, feature/*:
    stage: ci
  development/*:
    stage: broken
stages:
  ci:
    worker: {type: local}
    steps:
      - Git:
          name: checkout
          repourl: "%(prop:git_reference)s"
          shallow: true
      - ShellCommand:
          name: hello
          command: cat greeting.txt; echo "token=%(secret:token)s branch=%(prop:branch)s forced=%(prop:who:-nobody)s"
      - TriggerStages:
          stage_names: [child]
  child:
    worker: {type: local}
    steps:
      - ShellCommand:
          command: echo "child of %(prop:reason)s"
  broken:
    worker: {type: local}
    steps:
      - ShellCommand: {name: fails, command: "exit 4", haltOnFailure: true}
      - ShellCommand: {name: never, command: "true"}
  slow:
    worker: {type: local}
    steps:
      - ShellCommand: {name: sleeper, command: 'sleep 60 & echo "started $HOME $!"; wait'}
  chatty:
    worker: {type: local}
    steps:
      - ShellCommand: {name: ticker, command: 'sleep 60 & echo "started $HOME $!"; while true; do echo tick; sleep 0.1; done'}
`;

function eve(args: string[], input?: { cwd?: string }): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync("node", [bin, ...args], { cwd: input?.cwd ?? root, env: eveTmp.env(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Running, and not a zombie waiting for a reaper. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

beforeAll(() => {
  if (!existsSync(join(root, "dist/cli/main.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root });
  mkdirSync(join(repo, "eve"));
  writeFileSync(join(repo, "eve/main.yml"), BUILD_FILE);
  writeFileSync(join(repo, "greeting.txt"), "hello from the repo\n");
  writeFileSync(join(repo, "secrets.env"), "# test secrets\ntoken=hunter22\n");
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args]);
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-qm", "init");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("eve run", () => {
  it("runs the stage of the current branch, streams prefixed logs, masks secrets, writes the report: exit 0", () => {
    const report = join(repo, "report.json");

    const { code, stdout } = eve(["run", "--dir", repo, "--secrets", join(repo, "secrets.env"), "--property", "who=me", "--report", report]);

    expect(code).toBe(0);
    expect(stdout).toContain("[ci/hello] hello from the repo\n");
    expect(stdout).toContain("[ci/hello] token=<secret> branch=main forced=me\n");
    expect(stdout).toContain("] child of child (triggered by ci)\n");
    expect(stdout).not.toContain("hunter22");
    expect(stdout).toMatch(/STAGE \/ STEP +RESULT +DURATION\nci +success/);
    const json = JSON.parse(readFileSync(report, "utf8")) as Record<string, unknown>;
    expect(json).toEqual({
      result: "success",
      stages: [
        {
          name: "ci",
          result: "success",
          durationMs: expect.any(Number),
          steps: [
            { name: "checkout", result: "success", durationMs: expect.any(Number), exitCode: 0 },
            { name: "hello", result: "success", durationMs: expect.any(Number), exitCode: 0 },
            { name: "trigger", result: "success", durationMs: expect.any(Number), exitCode: null },
          ],
        },
        { name: "child", result: "success", durationMs: expect.any(Number), steps: [expect.objectContaining({ result: "success", exitCode: 0 })] },
      ],
    });
  });

  it("exits 1 on failure, with the halted step skipped", () => {
    const report = join(repo, "failed.json");

    const { code, stdout } = eve(["run", "--dir", repo, "--branch", "development/2.0", "--report", report]);

    expect(code).toBe(1);
    expect(stdout).toContain("eve run: failure");
    const json = JSON.parse(readFileSync(report, "utf8")) as { result: string; stages: { steps: { name: string; result: string; exitCode: number | null }[] }[] };
    expect(json.result).toBe("failure");
    expect(json.stages[0]?.steps.map((s) => [s.name, s.result, s.exitCode])).toEqual([
      ["fails", "failure", 4],
      ["never", "skipped", null],
    ]);
  });

  it("runs nothing, and exits 0, when no branch pattern matches", () => {
    const { code, stdout } = eve(["run", "--dir", repo, "--branch", "other"]);

    expect(code).toBe(0);
    expect(stdout).toContain("Branch other not covered by yaml file: nothing to run (result: skipped)");
  });

  it.each([
    [["run", "--stage"], /--stage needs a value/],
    [["run", "--nope"], /unknown argument '--nope'/],
    [["run", "--stage", "a", "--branch", "b"], /not both/],
    [["run", "--dir", "/nonexistent-eve-dir"], /cannot read the build file/],
  ])("exits 2 on bad usage: %j", (args, message) => {
    const { code, stderr } = eve(args);

    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("exits 2 on an invalid build file, printing the lint lines", () => {
    const bad = join(repo, "bad.yml");
    writeFileSync(bad, "branches:\n  default:\n    stage: s\nstages:\n  s:\n    steps: []\n");

    const { code, stderr } = eve(["run", "--dir", repo, "--file", "bad.yml"]);

    expect(code).toBe(2);
    expect(stderr).toMatch(/^bad\.yml:\d+:\d+: error: /m);
  });

  it("cancels on Ctrl-C: the step is killed, the worker torn down, result cancelled, exit 1", async () => {
    const report = join(repo, "cancelled.json");
    const child = spawn("node", [bin, "run", "--dir", repo, "--stage", "slow", "--report", report], { env: eveTmp.env(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let interrupted = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!interrupted && stdout.includes("[slow/sleeper] started")) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });

    const code = await new Promise<number | null>((done) => child.on("close", done));

    expect(code).toBe(1);
    expect(stdout).toContain("eve run: cancelled");
    expect(JSON.parse(readFileSync(report, "utf8"))).toMatchObject({ result: "cancelled", stages: [{ name: "slow", result: "cancelled" }] });
    const [, builderDir, pid] = /started (\S+) (\d+)/.exec(stdout) ?? [];
    expect(existsSync(builderDir ?? "missing")).toBe(false);
    expect(running(Number(pid))).toBe(false);
  });

  // `timeout 600 eve run` and a closed terminal end Eve with SIGTERM or SIGHUP: Node's default left steps running.
  it("cancels on SIGTERM like Ctrl-C: the step is killed, the worker torn down, result cancelled", async () => {
    const report = join(repo, "terminated.json");
    const child = spawn("node", [bin, "run", "--dir", repo, "--stage", "slow", "--report", report], { env: eveTmp.env(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!child.killed && stdout.includes("[slow/sleeper] started")) child.kill("SIGTERM");
    });

    const code = await new Promise<number | null>((done) => child.on("close", done));

    expect(code).toBe(1);
    expect(JSON.parse(readFileSync(report, "utf8"))).toMatchObject({ result: "cancelled" });
    const [, builderDir, pid] = /started (\S+) (\d+)/.exec(stdout) ?? [];
    expect(existsSync(builderDir ?? "missing")).toBe(false);
    expect(running(Number(pid))).toBe(false);
  });

  // `eve run | head`: the reader goes away; Eve crashed on EPIPE with a stack trace and left the step running.
  it("cancels, without a stack trace, when its output is closed", async () => {
    const report = join(repo, "closed.json");
    const child = spawn("node", [bin, "run", "--dir", repo, "--stage", "chatty", "--report", report], { env: eveTmp.env(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("[chatty/ticker] started")) child.stdout.destroy();
    });

    const code = await new Promise<number | null>((done) => child.on("close", done));

    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(1);
    expect(JSON.parse(readFileSync(report, "utf8"))).toMatchObject({ result: "cancelled", stages: [{ name: "chatty", result: "cancelled" }] });
    const [, builderDir, pid] = /started (\S+) (\d+)/.exec(stdout) ?? [];
    expect(existsSync(builderDir ?? "missing")).toBe(false);
    expect(running(Number(pid))).toBe(false);
  });
});
