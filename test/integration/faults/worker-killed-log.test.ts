/**
 * A worker process SIGKILLed mid-stage leaves the part of the log it had
 * written readable in the artifact store; the recovered attempt's log goes on
 * after it and says where the lost attempt's log ends.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LogReader } from "../../../src/logs/log-reader.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../helpers/github-stand-in.js";
import { createWorkspace, eveEnv, spawnEveWorker, startInProcessApp, startRedisServer, type EveChild, type InProcessApp, type RedisServer } from "./eve-processes.js";

const buildFile = `
version: 0.2
branches:
  default:
    stage: printing
stages:
  printing:
    worker: {type: local}
    steps:
      - ShellCommand: {name: print, command: 'seq 1 200000; sleep 6; echo finished'}
`;

let redis: RedisServer;
let github: GitHubStandIn;
let workspace: ReturnType<typeof createWorkspace>;
let app: InProcessApp;
const workers: EveChild[] = [];

beforeEach(async () => {
  redis = await startRedisServer();
  github = await startGitHubStandIn({ buildFile });
  workspace = createWorkspace();
  app = await startInProcessApp(eveEnv(github, redis.url, workspace.dir, { EVE_WORKER_LOST_AFTER: "2" }));
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

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function readText(reader: LogReader, run: string): Promise<{ state: string; text: string; stored: string }> {
  const view = await reader.view(run);
  if (!("bytes" in view)) return { state: view.state, text: "", stored: "" };
  const chunks: Buffer[] = [];
  for await (const chunk of reader.read(run, view, 0, view.bytes)) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString();
  return { state: view.state, text, stored: Buffer.concat(chunks).subarray(0, view.storedBytes).toString() };
}

describe("a worker SIGKILLed mid-stage", () => {
  it("leaves the log it wrote readable; the recovered attempt says where it ended and writes on", async () => {
    const env = eveEnv(github, redis.url, workspace.dir, { EVE_WORKER_LOST_AFTER: "2" });
    const reader = new LogReader(app.runtime.logStore.redis, app.runtime.logStore.archive);
    await app.push({ id: "kill-log" });
    const first = spawnEveWorker(env);
    workers.push(first);
    const run = JSON.parse(await first.waitForLine(/"Stage started"/, 30_000)).run as string;

    // Killed once its output is in the store (not merely in Redis): that part must survive.
    await poll(async () => ((await readText(reader, run)).stored.includes("\n200000\n") ? true : undefined), 30_000, "the first attempt's output in the store");
    first.child.kill("SIGKILL");
    await first.exited;
    const afterKill = await readText(reader, run);
    const second = spawnEveWorker(env);
    workers.push(second);
    await second.waitForLine(/Stage recovered/, 30_000);
    const { text } = await poll(async () => {
      const log = await readText(reader, run);
      return log.state === "finished" ? log : undefined;
    }, 60_000, "the recovered attempt's log to be finished");

    expect(afterKill.stored).toContain("\n── step 1: print ──\n$ seq 1 200000; sleep 6; echo finished\n1\n2\n3\n");
    const lost = /── The worker process running this stage was lost \(killed or cut off\): its log is kept up to here \((\d+) bytes\); what it printed after that was lost\. Eve runs the stage again on a fresh workspace\. ──\n/.exec(text);
    expect(lost).not.toBeNull();
    const before = text.slice(0, lost?.index);
    expect(Buffer.byteLength(before)).toBe(Number(lost?.[1]));
    expect(before.startsWith(afterKill.stored)).toBe(true);
    expect(before).toMatch(/\n199999\n200000\n$/);
    expect(text.slice(lost?.index)).toMatch(/\n── step 1: print ──\n\$ seq 1 200000; sleep 6; echo finished\n1\n2\n[\s\S]*\n200000\nfinished\n\n── success ──\n$/);
  }, 120_000);
});
