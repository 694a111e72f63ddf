import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "test/fixtures/buildfiles");
const run = promisify(execFile);

/** Runs the built `eve` binary; a non-zero exit is data, not a throw. */
async function eve(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, "bin/eve.js"), ...args], { cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("eve lint (built binary)", () => {
  let dir: string;

  beforeAll(async () => {
    // `npm test` builds first; build here when the test runs alone.
    if (!existsSync(join(ROOT, "dist/cli/lint-command.js"))) await run("npm", ["run", "build"], { cwd: ROOT }).catch(() => undefined);
    dir = await mkdtemp(join(tmpdir(), "eve-lint-"));
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("exits 0 with no output for a valid file", async () => {
    expect(await eve(["lint", join(FIXTURES, "valid.yml")])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("warns, with the line the step would fail with, about a step type this installation cannot run", async () => {
    const file = join(dir, "docker-steps.yml");
    await writeFile(file, "branches:\n  default:\n    stage: s\nstages:\n  s:\n    worker: {type: local}\n    steps:\n      - DockerPush: {label: app, image: example/app}\n");
    const { EVE_DOCKER_STEPS: _unset, ...env } = process.env;

    const off = await eve(["lint", file], ROOT, env);
    const on = await eve(["lint", file], ROOT, { ...env, EVE_DOCKER_STEPS: "on" });

    expect(off).toEqual({ code: 0, stderr: "", stdout: `${file}:8:9: warning: DockerPush cannot run on this Eve: it needs the operator's Docker Engine for Docker* steps, which the operator enables with EVE_DOCKER_STEPS=on (never for pull requests from forks) (the step fails)\n` });
    expect(on).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("exits 0 on warnings only, one line each", async () => {
    const file = join(FIXTURES, "missing-post-merge-stage.yml");

    const result = await eve(["lint", file]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${file}:8:12: warning: stage 'post-merge' is not defined in stages: a build of a branch matching 'development/*' fails\n`);
  });

  it("exits 1 with located errors, for every file given", async () => {
    const result = await eve(["lint", join(FIXTURES, "malformed.yml"), join(FIXTURES, "empty.yml"), join(dir, "missing.yml")]);

    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/malformed\.yml:\d+:\d+: error: /);
    expect(lines[1]).toBe(`${join(FIXTURES, "empty.yml")}:1:1: error: the build file is empty: it must define a mapping with 'branches' and 'stages'`);
    expect(lines[2]).toBe(`${join(dir, "missing.yml")}:1:1: error: cannot read ${join(dir, "missing.yml")} (ENOENT)`);
  });

  it("reads eve/main.yml by default", async () => {
    await run("mkdir", ["-p", join(dir, "eve")]);
    await writeFile(join(dir, "eve/main.yml"), "branches:\n  default:\n    stage: s\nstages:\n  s:\n    worker: {type: local}\n    steps:\n      - ShellCommand: {command: 'date +%Y'}\n");

    const result = await eve(["lint"], dir);

    expect(result).toMatchObject({ code: 1, stdout: "eve/main.yml:8:40: error: unsupported format character 'Y' (0x59): write %% for a literal %\n" });
  });

  it("refuses a 50 MB file and binary garbage with a located error", async () => {
    await writeFile(join(dir, "huge.yml"), Buffer.alloc(50 * 1024 * 1024, "a"));
    await writeFile(join(dir, "garbage.yml"), Buffer.from([0x61, 0x3a, 0x20, 0x0a, 0xff, 0xfe, 0x00, 0x01]));

    const result = await eve(["lint", join(dir, "huge.yml"), join(dir, "garbage.yml")]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${join(dir, "huge.yml")}:1:1: error: file is too large`);
    expect(result.stdout).toContain(`${join(dir, "garbage.yml")}:2:1: error: the file is not valid UTF-8 text`);
  });

  it("exits 2 on an unknown option", async () => {
    const result = await eve(["lint", "--strict"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--strict'");
  });
});
