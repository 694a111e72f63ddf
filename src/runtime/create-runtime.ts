/**
 * Assembles one Eve process from its config: the Probot instance (GitHub
 * auth), the queues, the log store, the reporter, and — for processes that
 * run stages — the stage workers. `npm start` and `eve worker` share it.
 */
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { Probot, type ProbotOctokit } from "probot";
import type { EveConfig } from "../config/eve-config.js";
import { RedisLogStore } from "../logs/redis-log-store.js";
import { createProvisionerRegistry } from "../provisioners/registry.js";
import { createCancelListener } from "../queue/cancel-listener.js";
import { createRedisConnection, createStageQueues, type StageQueues } from "../queue/queues.js";
import type { RunReporter } from "../queue/run-reporter.js";
import { createStageProcessor } from "../queue/stage-processor.js";
import { startStageWorkers, type StageWorkers } from "../queue/stage-workers.js";
import { GitHubWriteQueue } from "../reporting/github-write-queue.js";
import { createSecretSource } from "../secrets/create-secret-source.js";
import { createRunReporter } from "./create-run-reporter.js";
import { createEveOctokit } from "./eve-octokit.js";

export interface RuntimeOptions {
  /** Redis key prefix (tests use their own). */
  prefix?: string;
  /** Octokit class for Probot (tests turn retry and throttling off). */
  Octokit?: typeof ProbotOctokit;
  /** Pause between two GitHub writes of one installation (default 1000 ms, GitHub's advice). */
  writeIntervalMs?: number;
  progressIntervalMs?: number;
  log?: Logger;
}

export interface Runtime {
  config: EveConfig;
  log: Logger;
  probot: Probot;
  queues: StageQueues;
  logStore: RedisLogStore;
  reporter: RunReporter;
  /** Starts taking stages of the configured worker types. */
  startWorkers(): Promise<StageWorkers>;
  /** Closes workers (waiting for running stages), queues and connections. */
  close(): Promise<void>;
}

export function createRuntime(config: EveConfig, options: RuntimeOptions = {}): Runtime {
  const log = options.log ?? pino({ name: "eve", level: config.logLevel, redact: ["*.token", "*.authorization", "headers.authorization"] });
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    baseUrl: config.githubApiUrl,
    log,
    Octokit: options.Octokit ?? createEveOctokit(),
  });
  const queues = createStageQueues(config.redisUrl, options.prefix);
  const logRedis = createRedisConnection(config.redisUrl);
  const onError = (error: unknown) => log.warn({ err: error }, "GitHub or log write failed");
  const logStore = new RedisLogStore(logRedis, { prefix: `${queues.prefix}:log:`, ttlMs: config.logRetentionDays * 24 * 3600 * 1000, onError });
  const writeQueue = new GitHubWriteQueue({ onError, minIntervalMs: options.writeIntervalMs ?? config.githubWriteIntervalMs });
  const reporter = createRunReporter({
    getOctokit: (installationId) => probot.auth(installationId),
    writeQueue,
    logStore,
    redis: queues.redis,
    prefix: queues.prefix,
    publicUrl: config.publicUrl,
    commitStatus: config.commitStatus,
    onError,
    ...(options.progressIntervalMs === undefined ? {} : { progressIntervalMs: options.progressIntervalMs }),
  });
  const closers: (() => Promise<void>)[] = [];

  return {
    config,
    log,
    probot,
    queues,
    logStore,
    reporter,
    async startWorkers() {
      const secrets = await createSecretSource(config, { onError: (error) => log.warn({ err: error }, "Secret refresh failed; keeping the previous values") });
      closers.push(async () => secrets.close());
      const cancels = await createCancelListener(config.redisUrl, queues.prefix);
      const workers = await startStageWorkers({
        queues,
        types: config.workerTypes,
        capacity: config.capacity,
        onError: (error) => log.error({ err: error }, "Stage worker error"),
        createProcessor: (slots) =>
          createStageProcessor({
            queues,
            reporter,
            cancels,
            provisioners: createProvisionerRegistry({ localBaseDir: join(config.workspaceDir, "workers") }),
            settings: {
              maxStepDurationSec: config.maxStepDurationSec,
              defaultTimeoutSec: config.defaultStepTimeoutSec,
              killGraceSec: config.killGraceSec,
              allowMasterShellCommand: config.allowMasterShellCommand,
            },
            secrets,
            instance: config.instance,
            workspaceDir: config.workspaceDir,
            githubServerUrl: config.githubServerUrl,
            getInstallationToken: async (installationId) => {
              const octokit = await probot.auth(installationId);
              return ((await octokit.auth({ type: "installation" })) as { token: string }).token;
            },
            slots,
          }),
      });
      closers.push(async () => {
        await workers.close();
        await cancels.close();
      });
      return workers;
    },
    async close() {
      for (const close of closers.splice(0)) await close();
      await writeQueue.flush();
      await logStore.flush();
      await queues.close();
      await logRedis.quit().catch(() => undefined);
    },
  };
}
