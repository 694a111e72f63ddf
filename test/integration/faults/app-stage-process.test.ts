/**
 * `npm start` runs its stages in a stage process of its own (src/stage-process.ts),
 * so that webhooks never wait behind stage work: the stages run there, the app
 * serves their metrics, a stage process that dies is replaced, and one whose
 * app is killed goes with it (nothing left running).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../helpers/free-port.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../helpers/github-stand-in.js";
import { createWorkspace, type EveChild, eveEnv, isAlive, type RedisServer, sendPush, spawnEveApp, startRedisServer, waitUntil } from "./eve-processes.js";

const buildFile = readFileSync(join(import.meta.dirname, "../../fixtures/buildfiles/one-local-stage.yml"), "utf8");

let redis: RedisServer;
let github: GitHubStandIn;
let workspace: ReturnType<typeof createWorkspace>;
let eve: EveChild | undefined;
const stageProcesses: number[] = [];

beforeEach(async () => {
  redis = await startRedisServer();
  github = await startGitHubStandIn({ buildFile });
  workspace = createWorkspace();
});

afterEach(async () => {
  eve?.child.kill("SIGKILL");
  await eve?.exited;
  eve = undefined;
  for (const pid of stageProcesses.splice(0)) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  await github.close();
  await redis.stop();
  workspace.remove();
});

/** The pids of the processes that said they take stages, in order. */
function stageProcessPids(app: EveChild): number[] {
  return app.lines.filter((line) => line.includes("Taking stages in the stage process")).map((line) => Number(/"pid":(\d+)/.exec(line)?.[1]));
}

const completed = (conclusion: string) => github.checkRuns().filter((run) => run.name === "pre-merge" && run.conclusion === conclusion).length;

describe("npm start's stage process", () => {
  it("runs the stages in a process of its own, whose metrics the app serves, and goes when the app is killed", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    eve = spawnEveApp(eveEnv(github, redis.url, workspace.dir, { PORT: String(port), HOST: "127.0.0.1" }));
    const appPid = Number(/"pid":(\d+)/.exec(await eve.waitForLine(/webhooks at/, 60_000))?.[1]);
    const [stagePid] = stageProcessPids(eve);
    stageProcesses.push(stagePid as number);
    expect(stagePid).not.toBe(appPid);

    expect(await sendPush(base, "fault-test", "stage-process-1")).toBe(200);
    await waitUntil(() => completed("success") === 1, 30_000, () => JSON.stringify(github.checkRuns()));
    // The stage's own log lines come from the stage process.
    const stageLines = eve.lines.filter((line) => line.includes('"stage":"pre-merge"'));
    expect(stageLines.length).toBeGreaterThan(0);
    expect(stageLines.every((line) => line.includes(`"pid":${stagePid}`))).toBe(true);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/eve_stages_finished_total\{worker_type="local",result="success"\} 1/);

    eve.child.kill("SIGKILL");
    await eve.exited;
    await waitUntil(() => !isAlive(stagePid as number), 10_000, () => `stage process ${stagePid} still running after its app was killed`);
  }, 90_000);

  it("starts another stage process when it dies, and stages run on", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    eve = spawnEveApp(eveEnv(github, redis.url, workspace.dir, { PORT: String(port), HOST: "127.0.0.1" }));
    await eve.waitForLine(/webhooks at/, 60_000);
    const [first] = stageProcessPids(eve);
    stageProcesses.push(first as number);

    process.kill(first as number, "SIGKILL");
    await eve.waitForLine(/The stage process exited; starting another/);
    await waitUntil(() => stageProcessPids(eve as EveChild).length === 2, 30_000, () => (eve as EveChild).lines.join("\n"));
    const second = stageProcessPids(eve)[1] as number;
    stageProcesses.push(second);
    expect(second).not.toBe(first);

    expect(await sendPush(base, "fault-test", "stage-process-2")).toBe(200);
    await waitUntil(() => completed("success") === 1, 30_000, () => JSON.stringify(github.checkRuns()));

    eve.child.kill("SIGTERM");
    expect(await eve.exited).toBe(0);
    expect(isAlive(second)).toBe(false);
  }, 90_000);
});
