/**
 * A worker process killed with SIGKILL in the middle of a stage: BullMQ's
 * stalled-job check hands the stage to another worker, which reaps the dead
 * attempt's builder directory (and kills its steps) and runs the stage again
 * on a fresh workspace, updating the same check run. Lost twice, the stage
 * ends `failure` with a title that says so. No check run stays in_progress.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_MARKER_FILE, parseMarker } from "../../../src/provisioners/local/builder-marker.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../helpers/github-stand-in.js";
import { createWorkspace, eveEnv, isGroupAlive, spawnEveWorker, startInProcessApp, startRedisServer, waitUntil, type EveChild, type InProcessApp, type RedisServer } from "./eve-processes.js";

const buildFile = `
version: 0.2
branches:
  default:
    stage: slow
stages:
  slow:
    worker: {type: local}
    steps:
      - ShellCommand: {name: work, command: 'echo started; sleep 5; echo finished'}
`;

let redis: RedisServer;
let github: GitHubStandIn;
let workspace: ReturnType<typeof createWorkspace>;
let app: InProcessApp;
const workers: EveChild[] = [];
let env: Record<string, string>;

beforeEach(async () => {
  redis = await startRedisServer();
  github = await startGitHubStandIn({ buildFile });
  workspace = createWorkspace();
  env = eveEnv(github, redis.url, workspace.dir, { EVE_WORKER_LOST_AFTER: "2" });
  app = await startInProcessApp(env);
});

afterEach(async () => {
  for (const worker of workers.splice(0)) {
    worker.child.kill("SIGKILL");
    await worker.exited;
  }
  await app.close();
  await github.close();
  await redis.stop();
  workspace.remove();
});

/** Starts a worker and waits until its stage runs the slow step; returns the step's process group. */
async function startAndWaitForStep(notIn?: string): Promise<{ worker: EveChild; pgid: number; dir: string }> {
  const worker = spawnEveWorker(env);
  workers.push(worker);
  let pgid = 0;
  let dir = "";
  await waitUntil(() => {
    const groupsOf = (name: string) => {
      try {
        return parseMarker(readFileSync(join(workspace.dir, "workers", name, LOCAL_MARKER_FILE), "utf8"))?.groups ?? [];
      } catch {
        return []; // not made yet, or removed meanwhile
      }
    };
    const found = workspace.builderDirs().find((name) => join(workspace.dir, "workers", name) !== notIn && groupsOf(name).length > 0);
    if (!found) return false;
    dir = join(workspace.dir, "workers", found);
    // The newest group is the running step's: Eve's implicit steps (SetWorkerDistro) ran and ended before it.
    pgid = groupsOf(found).at(-1) ?? 0;
    return pgid > 0 && isGroupAlive(pgid);
  }, 30_000, () => `a running step\n${worker.lines.join("\n")}`);
  return { worker, pgid, dir };
}

describe("a worker process killed with SIGKILL mid-stage", () => {
  it("hands the stage to another worker, which reaps the dead attempt and runs it again on a fresh workspace", async () => {
    await app.push({ id: "kill-1" });
    const first = await startAndWaitForStep();
    expect(isGroupAlive(first.pgid)).toBe(true);

    first.worker.child.kill("SIGKILL");
    await first.worker.exited;
    const second = spawnEveWorker(env);
    workers.push(second);
    await second.waitForLine(/Stage recovered/, 30_000);
    await waitUntil(() => github.checkRuns()[0]?.statuses.at(-1) === "completed", 30_000, () => JSON.stringify(github.checkRuns()));

    expect(github.checkRuns()).toEqual([{ id: 1, name: "slow", statuses: ["queued", "in_progress", "completed"], conclusion: "success", title: expect.any(String) }]);
    // The dead attempt's step was killed and its directory removed, before the new attempt ran.
    expect(isGroupAlive(first.pgid)).toBe(false);
    expect(existsSync(first.dir)).toBe(false);
    expect(workspace.builderDirs()).toEqual([]);
    const log = await app.runtime.logStore.read(JSON.parse(await second.waitForLine(/Stage recovered/)).run as string, undefined, 1000);
    expect(JSON.stringify(log)).toContain("was lost");
    expect(github.schemaErrors).toEqual([]);
  }, 60_000);

  it("ends the stage failure, titled 'worker lost', when its worker is lost a second time", async () => {
    await app.push({ id: "kill-2" });
    const first = await startAndWaitForStep();
    first.worker.child.kill("SIGKILL");
    await first.worker.exited;
    // The second worker takes it over (after the first's lock expires) and is killed too.
    const second = await startAndWaitForStep(first.dir);
    second.worker.child.kill("SIGKILL");
    await second.worker.exited;
    const third = spawnEveWorker(env);
    workers.push(third);
    await waitUntil(() => github.checkRuns()[0]?.statuses.at(-1) === "completed", 30_000, () => `${JSON.stringify(github.checkRuns())}\n${third.lines.join("\n")}`);

    const [run] = github.checkRuns();
    // in_progress may or may not have reached GitHub before the kills: the run ends completed either way.
    expect(run).toMatchObject({ name: "slow", conclusion: "failure" });
    expect(run?.statuses.at(-1)).toBe("completed");
    expect(run?.title).toMatch(/^Eve error: .*worker process running this stage was lost twice/);
    // The third worker's periodic/start-up sweep removes what the two dead ones left.
    await waitUntil(() => workspace.builderDirs().length === 0 && !isGroupAlive(second.pgid), 15_000, () => `leftovers: ${workspace.builderDirs().join(", ")}`);
  }, 90_000);
});
