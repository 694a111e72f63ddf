/**
 * Redis restarted in the middle of a build (a dedicated redis-server with
 * appendonly yes, SHUTDOWN and started again on the same port and data): no
 * queued stage is lost, no stage runs twice, and the worker process and the
 * app reconnect by themselves and finish the build.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startGitHubStandIn, type GitHubStandIn } from "../../helpers/github-stand-in.js";
import { createWorkspace, eveEnv, spawnEveWorker, startInProcessApp, startRedisServer, waitUntil, type EveChild, type InProcessApp, type RedisServer } from "./eve-processes.js";

let redis: RedisServer;
let github: GitHubStandIn;
let workspace: ReturnType<typeof createWorkspace>;
let app: InProcessApp;
let worker: EveChild | undefined;

const trace = () => join(workspace.dir, "trace.txt");
const buildFile = (tracePath: string) => `
version: 0.2
branches:
  default:
    stage: top
stages:
  top:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'echo "start top" >> ${tracePath}'}
      - TriggerStages: {stage_names: [a, b, c, d]}
${["a", "b", "c", "d"]
  .map((name) => `  ${name}:\n    worker: {type: local}\n    steps:\n      - ShellCommand: {command: 'echo "start ${name}" >> ${tracePath}; sleep 1.5; echo "end ${name}" >> ${tracePath}'}`)
  .join("\n")}
`;

beforeEach(async () => {
  redis = await startRedisServer({ appendonly: true });
  workspace = createWorkspace();
  github = await startGitHubStandIn({ buildFile: buildFile(trace()) });
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

describe("Redis restarted during a build", () => {
  it("loses no queued stage, runs none twice, and the processes reconnect by themselves", async () => {
    // Two slots: the waiting top stage gives its slot back, so one child runs at a time and three wait in Redis.
    const env = eveEnv(github, redis.url, workspace.dir, { EVE_MAX_LOCAL_WORKERS: "1", EVE_WORKER_LOST_AFTER: "20" });
    app = await startInProcessApp(env);
    worker = spawnEveWorker(env);
    await app.push({ id: "redis-1" });
    await waitUntil(() => readFileSync(trace(), "utf8").includes("start a") || readFileSync(trace(), "utf8").includes("start b"), 30_000, () => worker?.lines.join("\n") ?? "");

    await redis.restart(1000);
    await waitUntil(() => github.checkRuns().filter((run) => run.statuses.at(-1) === "completed").length === 5, 40_000, () => `${JSON.stringify(github.checkRuns())}\n${worker?.lines.join("\n")}`);

    expect(github.checkRuns().map((run) => [run.name, run.conclusion])).toEqual([
      ["a", "success"],
      ["b", "success"],
      ["c", "success"],
      ["d", "success"],
      ["top", "success"],
    ]);
    const lines = readFileSync(trace(), "utf8").trim().split("\n");
    // Each stage ran exactly once, and never two at once (capacity 1: every start is followed by its end).
    expect([...lines].sort()).toEqual(["end a", "end b", "end c", "end d", "start a", "start b", "start c", "start d", "start top"]);
    for (let i = 1; i < lines.length; i += 2) expect(lines[i + 1]?.replace("end", "start")).toBe(lines[i]);
    expect(worker.child.exitCode).toBeNull();
    expect(worker.lines.join("\n")).toContain("Redis or queue error");
    // The app side reconnected too: it can still read the queue.
    // The top stage's completed check run may reach GitHub before BullMQ has moved its job to completed.
    await expect.poll(() => app.runtime.queues.queue("local").getJobCounts("completed")).toEqual({ completed: 5 });
  }, 90_000);
});
