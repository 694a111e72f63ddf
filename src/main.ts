/**
 * `npm start`: the GitHub App. This process receives webhooks (Probot's
 * server, which also serves the log, build and artifact pages, /healthz,
 * /readyz and /metrics); the stages (BullMQ workers) run in a stage process
 * it forks and supervises (src/stage-process.ts), so that a webhook never
 * waits behind stage work.
 * More worker processes on more machines join with `eve worker` against the
 * same Redis.
 */
import { Probot, Server } from "probot";
import { createPageAccess, type InstallationClient } from "./access/page-access.js";
import { getRepositoryAccess, getRunAccess } from "./access/run-access-record.js";
import { createApp } from "./app.js";
import { createArtifactPagesHandler } from "./artifact-pages/artifact-pages.js";
import { createBuildPagesHandler, getBuildPageTarget } from "./build-pages/build-pages.js";
import { createLogPageHandler } from "./logs/log-page.js";
import { createStatusPageHandler } from "./ops/status-page.js";
import { createRuntime } from "./runtime/create-runtime.js";
import { createEveOctokit } from "./runtime/eve-octokit.js";
import { onShutdown } from "./runtime/on-shutdown.js";
import { readConfigOrExit } from "./runtime/read-config-or-exit.js";
import { type StageProcess, startStageProcess } from "./runtime/stage-process-channel.js";
import { withWebhookGuard } from "./runtime/webhook-guard.js";

const config = readConfigOrExit("eve");
const runtime = createRuntime(config);
const server = new Server({
  host: config.host,
  port: config.port,
  webhookPath: config.webhookPath,
  log: runtime.log,
  Probot: withWebhookGuard(
    Probot.defaults({ appId: config.appId, privateKey: config.privateKey, secret: config.webhookSecret, baseUrl: config.githubApiUrl, log: runtime.log, Octokit: createEveOctokit({ metrics: runtime.metrics }) }),
    { path: config.webhookPath, secret: config.webhookSecret, log: runtime.log },
  ),
});
let stages: StageProcess | undefined;
const shutdown = onShutdown(runtime.log, async () => {
  await Promise.all([server.stop(), stages?.stop()]);
  await runtime.close();
});
server.addHandler(runtime.opsHandler);
server.addHandler(
  createStatusPageHandler({ token: config.statusToken, metrics: runtime.metrics, collect: runtime.collectMetrics, secure: config.publicUrl.startsWith("https:") }),
);
const pageAccess = createPageAccess({
  publicUrl: config.publicUrl,
  githubApiUrl: config.githubApiUrl,
  signIn: config.signIn,
  buildTokenSecret: config.buildTokenSecret,
  getInstallationClient: async (installationId) => (await runtime.probot.auth(installationId)) as InstallationClient,
  onError: (error) => runtime.log.warn({ err: error }, "Sign-in or permission check with GitHub failed"),
});
const { redis, prefix } = runtime.queues;
server.addHandler(pageAccess.handler);
server.addHandler(
  createLogPageHandler({
    logStore: runtime.logStore,
    authorize: async (req, res, run) => pageAccess.authorize(req, res, await getRunAccess(redis, prefix, run)),
  }),
);
// Before the artifact pages: with an artifacts base URL of "/", their `/builds/<container>/…` shares the prefix.
server.addHandler(
  createBuildPagesHandler({
    history: runtime.history,
    authorize: async (req, res, page) => pageAccess.authorize(req, res, await getBuildPageTarget(redis, prefix, page)),
  }),
);
server.addHandler(
  createArtifactPagesHandler({
    store: runtime.artifactStore,
    basePath: new URL(config.artifactsNaming.publicUrl).pathname,
    // A container (or lookup prefix) is the build's identity for build tokens.
    authorize: async (req, res, { owner, repo, name }) => pageAccess.authorize(req, res, await getRepositoryAccess(redis, prefix, owner, repo, name)),
  }),
);
await server.load(
  createApp({
    queues: runtime.queues,
    reporter: runtime.reporter,
    buildFilePath: config.buildFilePath,
    maxStepDurationSec: config.maxStepDurationSec,
    githubServerUrl: config.githubServerUrl,
    forkBuilds: config.forkBuilds,
    artifacts: { store: runtime.artifactStore, naming: config.artifactsNaming },
  }),
);
// Listen first: a process that cannot serve (port taken) must not have taken stages it then drops.
try {
  await server.start();
} catch (error) {
  process.stderr.write(`eve: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  await runtime.close();
  process.exit(1);
}
if (!shutdown.requested) {
  stages = startStageProcess({ log: runtime.log });
  runtime.metrics.addSource(stages.metrics);
  const started = await stages.ready.then(
    () => true,
    (error: unknown) => {
      // A signal during start-up stops the stage process too: the shutdown under way then exits.
      if (!shutdown.requested) process.stderr.write(`eve: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
      return false;
    },
  );
  if (!started && !shutdown.requested) {
    await Promise.all([server.stop(), runtime.close()]);
    process.exit(1);
  }
  if (started) runtime.log.info(`Eve: webhooks at ${config.webhookPath}, logs at ${config.publicUrl}/logs/<run>, builds at ${config.publicUrl}/builds/<build>, workers: ${config.workerTypes.map((t) => `${t}×${config.capacity[t]}`).join(", ")} (stage process ${stages.pid})`);
}
