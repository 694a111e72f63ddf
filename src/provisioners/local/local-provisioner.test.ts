import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { ExecOptions, SpawnContext, Workspace } from "../types.js";
import { LOCAL_MARKER_FILE, parseMarker } from "./builder-marker.js";
import { LocalProvisioner } from "./local-provisioner.js";

const baseDir = mkdtempSync(join(tmpdir(), "eve-local-test-"));
const provisioner = new LocalProvisioner({ baseDir });
const labels = { instance: "test", build: "b1", stage: "s", attempt: 1, run: "run-1" };
const workspaces: Workspace[] = [];

afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((w) => w.teardown()));
});
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

async function spawnWorkspace(): Promise<Workspace> {
  const context: SpawnContext = { labels, repoDir: undefined, interpolate: (v) => v, log: () => undefined, signal: new AbortController().signal };
  const workspace = await provisioner.spawn({ type: "local" }, context);
  workspaces.push(workspace);
  return workspace;
}

function execOptions(workspace: Workspace, overrides: Partial<ExecOptions> & { output?: string[] } = {}): ExecOptions {
  const output = overrides.output ?? [];
  return {
    workdir: join(workspace.builderDir, "build"),
    env: {},
    timeoutMs: 10_000,
    maxTimeMs: 10_000,
    killGraceMs: 500,
    usePty: false,
    onOutput: (chunk) => void output.push(chunk.toString()),
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** The kernel's PF_EXITING: the process is in its exit, its files already closed. */
const PF_EXITING = 0x4;

/**
 * Running: neither a zombie waiting for a reaper nor exiting. A killed process closes its files
 * (so the step's output ends) before it becomes a zombie: in between it is exiting.
 */
function alive(pid: number): boolean {
  try {
    const [, state = "", ...fields] = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^\d+ \(.*\) /, "x ").split(" ");
    return state !== "Z" && (Number(fields[5]) & PF_EXITING) === 0;
  } catch {
    return false;
  }
}

describe("LocalProvisioner", () => {
  it("creates a fresh builder directory with the labels marker", async () => {
    const a = await spawnWorkspace();
    const b = await spawnWorkspace();

    expect(a.builderDir).not.toBe(b.builderDir);
    expect(parseMarker(readFileSync(join(a.builderDir, LOCAL_MARKER_FILE), "utf8"))).toEqual({ parsed: { labels, owner: { host: hostname(), pid: process.pid } }, groups: [] });
  });

  it("runs in the workdir with a clean environment plus the step's", async () => {
    const workspace = await spawnWorkspace();
    const output: string[] = [];
    process.env.EVE_LEAK_TEST = "leaked";

    await workspace.exec(
      { shell: 'pwd; echo "home=$HOME leak=${EVE_LEAK_TEST:-none} x=$X p=$P"' },
      execOptions(workspace, { env: { X: "1", P: "/opt:${PATH}" }, output }),
    );

    delete process.env.EVE_LEAK_TEST;
    const [pwd, line] = output.join("").trim().split("\n");
    expect(pwd).toBe(join(workspace.builderDir, "build"));
    expect(line).toBe(`home=${workspace.builderDir} leak=none x=1 p=/opt:${process.env.PATH}`);
  });

  it("records each step's process group in the directory, for the reaper should Eve die", async () => {
    const workspace = await spawnWorkspace();
    const output: string[] = [];

    await workspace.exec({ shell: 'echo "group=$$"' }, execOptions(workspace, { output }));
    await workspace.exec({ shell: 'echo "group=$$"' }, execOptions(workspace, { output }));

    const groups = [...output.join("").matchAll(/group=(\d+)/g)].map((match) => Number(match[1]));
    expect(groups).toHaveLength(2);
    // The helper writes the record beside starting the step, without waiting for it.
    await expect.poll(() => parseMarker(readFileSync(join(workspace.builderDir, LOCAL_MARKER_FILE), "utf8"))?.groups).toEqual(groups);
  });

  it.each([
    ["timeout", { timeoutMs: 300 }, "echo start; sleep 30"],
    ["maxTime", { maxTimeMs: 300 }, "while true; do echo tick; sleep 0.05; done"],
  ] as const)("kills the whole process group on %s", async (reason, limits, script) => {
    const workspace = await spawnWorkspace();
    const output: string[] = [];

    const result = await workspace.exec({ shell: `sleep 60 & echo "child=$!"; ${script}` }, execOptions(workspace, { ...limits, output }));

    const child = Number(/child=(\d+)/.exec(output.join(""))?.[1]);
    expect(result.killedBy).toBe(reason);
    expect(result.exitCode).toBeNull();
    expect(alive(child)).toBe(false);
  });

  it("teardown kills leftover processes, removes the directory, and is idempotent", async () => {
    const workspace = await spawnWorkspace();
    const output: string[] = [];
    await workspace.exec({ shell: 'sleep 60 >/dev/null 2>&1 & echo "child=$!"' }, execOptions(workspace, { output }));
    const child = Number(/child=(\d+)/.exec(output.join(""))?.[1]);
    expect(alive(child)).toBe(true);

    await workspace.teardown();
    await workspace.teardown();

    await expect.poll(() => alive(child)).toBe(false);
    expect(existsSync(workspace.builderDir)).toBe(false);
    await expect(workspace.exec({ shell: "true" }, execOptions(workspace))).rejects.toThrow(/torn down/);
  });
});
