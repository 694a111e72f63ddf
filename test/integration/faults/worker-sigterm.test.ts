/**
 * SIGTERM to an `eve worker`: it takes no new stage, lets the running one
 * finish within EVE_SHUTDOWN_GRACE, cancels it past the grace (check run
 * `cancelled`, steps killed, workspace removed), writes its last reports to
 * GitHub and exits 0.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_MARKER_FILE, parseMarker } from "../../../src/provisioners/local/builder-marker.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../helpers/github-stand-in.js";
import { createWorkspace, eveEnv, isGroupAlive, spawnEveWorker, startInProcessApp, startRedisServer, waitUntil, type EveChild, type InProcessApp, type RedisServer } from "./eve-processes.js";

const buildFile = `
version: 0.2
branches:
  long:
    stage: long
  default:
    stage: short
stages:
  long:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'echo started; sleep 60'}
  short:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'echo started; sleep 2; echo done'}
`;

let redis: RedisServer;
let github: GitHubStandIn;
let workspace: ReturnType<typeof createWorkspace>;
let app: InProcessApp;
let worker: EveChild | undefined;

beforeEach(async () => {
  redis = await startRedisServer();
  github = await startGitHubStandIn({ buildFile });
  workspace = createWorkspace();
});

afterEach(async () => {
  worker?.child.kill("SIGKILL");
  await worker?.exited;
  worker = undefined;
  await app.close();
  await github.close();
  await redis.stop();
  workspace.remove();
});

async function waitForStep(): Promise<number> {
  let pgid = 0;
  await waitUntil(() => {
    const dir = workspace.builderDirs()[0];
    if (dir === undefined) return false;
    pgid = parseMarker(readFileSync(join(workspace.dir, "workers", dir, LOCAL_MARKER_FILE), "utf8"))?.groups[0] ?? 0;
    return pgid > 0;
  }, 30_000, () => worker?.lines.join("\n") ?? "");
  return pgid;
}

describe("SIGTERM to a worker", () => {
  it("cancels a stage still running when the grace is over, cleans up and exits 0", async () => {
    const env = eveEnv(github, redis.url, workspace.dir, { EVE_SHUTDOWN_GRACE: "1" });
    app = await startInProcessApp(env);
    worker = spawnEveWorker(env);
    await app.push({ id: "term-1", branch: "long" });
    const pgid = await waitForStep();

    const signalled = Date.now();
    worker.child.kill("SIGTERM");
    const code = await worker.exited;

    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(15_000);
    // Its final report was written before it exited.
    const [run] = github.checkRuns();
    expect(run).toMatchObject({ name: "long", conclusion: "cancelled" });
    expect(run?.statuses.at(-1)).toBe("completed");
    expect(run?.title).toContain("stopped before the stage ended");
    // SIGKILL to the step's group is sent before the process exits; the kernel may take a moment.
    await waitUntil(() => !isGroupAlive(pgid), 3_000, () => `process group ${pgid} still alive`);
    expect(workspace.builderDirs()).toEqual([]);
    expect(worker.lines.join("\n")).toContain("Shutdown grace is over");
  }, 60_000);

  it("lets a running stage finish within the grace and takes no new stage", async () => {
    const env = eveEnv(github, redis.url, workspace.dir, { EVE_SHUTDOWN_GRACE: "30", EVE_MAX_LOCAL_WORKERS: "1" });
    app = await startInProcessApp(env);
    worker = spawnEveWorker(env);
    await app.push({ id: "term-2", branch: "main" });
    await waitForStep();

    worker.child.kill("SIGTERM");
    await worker.waitForLine(/SIGTERM: no new stages/);
    await app.push({ id: "term-3", branch: "other" });
    const code = await worker.exited;

    expect(code).toBe(0);
    const runs = github.checkRuns();
    expect(runs.map((run) => [run.name, run.statuses.at(-1), run.conclusion])).toEqual([
      ["short", "completed", "success"],
      ["short", "queued", undefined],
    ]);
    // The stage pushed after SIGTERM waits in Redis for the next worker.
    const counts = await app.runtime.queues.queue("local").getJobCounts("waiting", "prioritized", "active");
    expect({ pending: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active }).toEqual({ pending: 1, active: 0 });
    expect(workspace.builderDirs()).toEqual([]);
  }, 60_000);
});
