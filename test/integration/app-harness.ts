/**
 * An Eve app in the test process: the real runtime (Redis queues, log store,
 * stage workers on the local provisioner) and Probot receiving webhooks, with
 * GitHub played by the OpenAPI-checked mock. Records each check run's states.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { expect } from "vitest";
import { createRuntime, type Runtime } from "../../src/runtime/create-runtime.js";
import { getProductVersionScriptPath } from "../../src/engine/read-product-version.js";
import { createEveOctokit } from "../../src/runtime/eve-octokit.js";
import { mockGitHub, type GitHubMock } from "../helpers/github-mock.js";
import { loadEveApp, loadTestConfig } from "../helpers/load-eve-app.js";

export interface CheckRunHistory {
  id: number;
  name: string;
  /** Status after each write, consecutive duplicates removed. */
  statuses: string[];
  conclusion: string | undefined;
  title: string | undefined;
}

export interface AppHarness {
  runtime: Runtime;
  github: GitHubMock;
  push(options: { id: string; sha?: string; branch?: string }): Promise<void>;
  checkRuns(): CheckRunHistory[];
  /**
   * Resolves once no stage job waits, runs or is delayed: every stage that the
   * webhooks received so far started has finished (and so has everything those
   * stages triggered). The positive signal to wait for before asserting that
   * something did not happen.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const pushEvent = JSON.parse(readFileSync(new URL("../fixtures/push-event.json", import.meta.url), "utf8")) as Record<string, unknown>;
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

export async function startAppHarness(buildFile: string, env: Record<string, string> = {}): Promise<AppHarness> {
  const workspace = mkdtempSync(join(tmpdir(), "eve-app-test-"));
  const config = loadTestConfig({
    APP_ID: "1",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: "test",
    REDIS_URL: process.env.REDIS_URL,
    EVE_WORKER_TYPES: "local",
    EVE_MAX_LOCAL_WORKERS: "4",
    EVE_WORKSPACE_DIR: workspace,
    EVE_PUBLIC_URL: "http://eve.test",
    EVE_ARTIFACTS_DIR: join(workspace, "artifacts"),
    ...env,
  });
  const github = mockGitHub();
  let nextId = 100;
  let askedForScript = false;
  github
    .on("apps/create-installation-access-token", { body: { token: "ghs_test", expires_at: new Date(Date.now() + 3600_000).toISOString() } }, { persist: true })
    .on("repos/get-content", { body: buildFile, headers: { "content-type": "text/plain; charset=utf-8" } }, { persist: true, params: { path: config.buildFilePath } })
    .on("checks/create", () => ({ body: { id: nextId++ } }), { persist: true })
    // Optional: a stage that ends before its check run's create goes out is one create, completed already.
    .on("checks/update", (request) => ({ body: { id: Number(request.params.check_run_id) } }), { persist: true, optional: true })
    .on("repos/create-commit-status", { body: {} }, { persist: true });
  const runtime = createRuntime(config, {
    prefix: `test-${randomUUID()}`,
    Octokit: createEveOctokit({ retryAfterBaseMs: 10 }),
    // No pause between writes, unless the test sets the app's own setting (to build up a backlog).
    ...(env.EVE_GITHUB_WRITE_INTERVAL_MS === undefined ? { writeIntervalMs: 0 } : {}),
    log: pino({ level: "silent" }),
  });
  await loadEveApp(runtime, config);
  await runtime.startWorkers();

  return {
    runtime,
    github,
    async push({ id, sha = pushEvent.after as string, branch = "main" }) {
      // A push build asks whether the repository has a product version script: here it has none.
      if (!askedForScript) github.on("repos/get-content", { status: 404, body: { message: "Not Found" } }, { persist: true, params: { path: getProductVersionScriptPath(config.buildFilePath) } });
      askedForScript = true;
      const payload = { ...pushEvent, ref: `refs/heads/${branch}`, after: sha };
      await runtime.probot.receive({ id, name: "push", payload } as never);
    },
    checkRuns() {
      const runs = new Map<number, CheckRunHistory>();
      for (const request of github.requests) {
        const body = request.body as { name?: string; status?: string; conclusion?: string; output?: { title?: string } };
        let run: CheckRunHistory | undefined;
        if (request.operation === "checks/create") {
          run = { id: runs.size + 100, name: body.name ?? "", statuses: [], conclusion: undefined, title: undefined };
          runs.set(run.id, run);
        } else if (request.operation === "checks/update") run = runs.get(Number(request.params.check_run_id));
        if (!run) continue;
        if (body.status && run.statuses.at(-1) !== body.status) run.statuses.push(body.status);
        if (body.conclusion) run.conclusion = body.conclusion;
        if (body.output?.title) run.title = body.output.title;
      }
      return [...runs.values()].sort((a, b) => a.name.localeCompare(b.name));
    },
    async settled() {
      const queue = runtime.queues.queue("local");
      const pending = async () => Object.values(await queue.getJobCounts("waiting", "prioritized", "active", "delayed", "waiting-children")).reduce((a, b) => a + b, 0);
      await expect.poll(pending, { timeout: 20_000, interval: 100 }).toBe(0);
    },
    async close() {
      await runtime.queues.queue("local").obliterate({ force: true }).catch(() => undefined);
      await runtime.close();
      github.close();
      // Log archives may still land in the artifact store's folder while it is removed (ENOTEMPTY): retry.
      rmSync(workspace, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
