/**
 * GitHub answering 5xx, 403/429 with retry-after, or not answering at all
 * while a build runs: reporting never fails a stage, and every check run's
 * final state reaches GitHub once it answers again. The whole app runs in this
 * process against the HTTP stand-in with production's retries (the Octokit
 * retry plugin under the write queue's), their waits shortened.
 */
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { createRuntime, type Runtime } from "../../../src/runtime/create-runtime.js";
import { createEveOctokit } from "../../../src/runtime/eve-octokit.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../helpers/github-stand-in.js";
import { loadEveApp, loadTestConfig } from "../../helpers/load-eve-app.js";
import { createWorkspace, eveEnv, startRedisServer, waitUntil, type RedisServer } from "./eve-processes.js";
import pushEvent from "../../fixtures/push-event.json" with { type: "json" };

const buildFile = `
version: 0.2
branches:
  default:
    stage: top
stages:
  top:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'echo top'}
      - TriggerStages: {stage_names: [one, two]}
  one:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'echo one; sleep 0.5'}
  two:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'echo two; exit 1'}
`;

let redis: RedisServer | undefined;
let github: GitHubStandIn | undefined;
let runtime: Runtime | undefined;
const workspace = createWorkspace();

afterEach(async () => {
  await runtime?.queues.queue("local").obliterate({ force: true }).catch(() => undefined);
  await runtime?.close();
  await github?.close();
  await redis?.stop();
  workspace.remove();
});

describe("GitHub failing while a build runs", () => {
  it("retries 5xx, retry-after and timeouts in the background, and the final states arrive", async () => {
    redis = await startRedisServer();
    github = await startGitHubStandIn({ buildFile });
    github.fail(2, { status: 502 });
    github.fail(1, { status: 429, headers: { "retry-after": "1" } });
    github.fail(1, { hang: true });
    github.fail(1, { status: 403, headers: { "retry-after": "1" } });
    github.fail(3, { status: 503 });
    const config = loadTestConfig(eveEnv(github, redis.url, workspace.dir, { EVE_MAX_LOCAL_WORKERS: "3" }));
    runtime = createRuntime(config, {
      Octokit: createEveOctokit({ retryAfterBaseMs: 10 }),
      writeRetry: { timeoutMs: 1_000, baseBackoffMs: 100, maxBackoffMs: 400 },
      log: pino({ level: "silent" }),
    });
    await loadEveApp(runtime, config);
    await runtime.startWorkers();

    const pushed = Date.now();
    await runtime.probot.receive({ id: "gh-faults-1", name: "push", payload: pushEvent } as never);
    const queue = runtime.queues.queue("local");
    let completed = 0;
    while (completed < 3 && Date.now() - pushed < 20_000) {
      completed = (await queue.getJobCounts("completed")).completed ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitUntil(() => (github?.checkRuns() ?? []).filter((run) => run.statuses.at(-1) === "completed").length === 3, 30_000, () => JSON.stringify(github?.checkRuns()));

    expect(completed).toBe(3);
    expect(github.checkRuns().map((run) => [run.name, run.statuses.at(-1), run.conclusion])).toEqual([
      ["one", "completed", "success"],
      ["top", "completed", "failure"],
      ["two", "completed", "failure"],
    ]);
    // The 404 first: the repository has no get_product_version.sh.
    expect(github.requests.map((r) => r.status).filter((status) => status === 0 || status >= 400)).toEqual([404, 502, 502, 429, 0, 403, 503, 503, 503]);
    expect(github.schemaErrors).toEqual([]);
  }, 60_000);
});
