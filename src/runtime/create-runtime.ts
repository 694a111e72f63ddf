/**
 * Assembles one Eve process from its config: the Probot instance (GitHub
 * auth), the queues, the log store, the reporter, and — for processes that
 * run stages — the stage workers. `npm start` and `eve worker` share it.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import { Probot, type ProbotOctokit } from "probot";
import { BUILD_TOKEN_TTL_MS, createBuildAccessToken } from "../access/build-access-token.js";
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import { createArtifactStore } from "../artifacts/create-artifact-store.js";
import { startArtifactGc } from "../artifacts/start-artifact-gc.js";
import type { EveConfig } from "../config/eve-config.js";
import { workerSettingsSecrets } from "../config/load-worker-settings.js";
import { createEveLogger } from "../logging/create-eve-logger.js";
import { createSecretScrubber, type SecretScrubber } from "../logging/secret-scrubber.js";
import { keepHeapFlat } from "../logs/keep-heap-flat.js";
import { KeptLogStore } from "../logs/kept-log-store.js";
import { LogArchive } from "../logs/log-archive.js";
import { RedisLogStore } from "../logs/redis-log-store.js";
import { createEveMetrics, type EveMetrics } from "../ops/eve-metrics.js";
import type { OpsHandler } from "../ops/ops-handler.js";
import { closeProvisioners, createProvisionerRegistry, createWorkerSweepers } from "../provisioners/registry.js";
import { UNIMPLEMENTED_WORKER_TYPES } from "../provisioners/worker-types.js";
import { BuildHistory } from "../queue/build-history.js";
import { startWorkerHeartbeat, THIS_PROCESS } from "../queue/worker-heartbeats.js";
import { CheckoutReaper } from "../queue/checkout-reaper.js";
import { createCancelListener } from "../queue/cancel-listener.js";
import { createRedisConnection, createStageQueues, type StageQueues } from "../queue/queues.js";
import type { RunReporter } from "../queue/run-reporter.js";
import { recordBuildRuns } from "../queue/record-build-runs.js";
import { createStageProcessor } from "../queue/stage-processor.js";
import { startStageWorkers, type StageWorkers } from "../queue/stage-workers.js";
import { GitHubWriteQueue, type GitHubWriteQueueOptions } from "../reporting/github-write-queue.js";
import { createSecretSource } from "../secrets/create-secret-source.js";
import { createRunReporter } from "./create-run-reporter.js";
import { createChecksHttpClient } from "./checks-http-client.js";
import { createEveOctokit } from "./eve-octokit.js";
import { type AppTokenClient, createInstallationTokens } from "./installation-tokens.js";
import { createRuntimeOps } from "./create-runtime-ops.js";
import { observeStage } from "./observe-stage.js";
import { createRedisWritePacer } from "./redis-write-pacer.js";
import { reportFailedStage } from "./report-failed-stage.js";
import { startLogSweep } from "./start-log-sweep.js";
import { startReaper } from "./start-reaper.js";
import { watchRedisErrors } from "./watch-redis-errors.js";

export interface RuntimeOptions {
  /** Redis key prefix (tests use their own). */
  prefix?: string;
  /** Octokit class for Probot (tests turn retry and throttling off). */
  Octokit?: typeof ProbotOctokit;
  /** Pause between two GitHub writes of one installation (default 1000 ms, GitHub's advice). */
  writeIntervalMs?: number;
  progressIntervalMs?: number;
  /** Retry timing of GitHub writes (tests shorten timeouts and back-off). */
  writeRetry?: Omit<GitHubWriteQueueOptions, "onError" | "minIntervalMs">;
  log?: Logger;
  /** Scrubs credentials from log lines; a custom `log` should write through it (default: a new one). */
  scrubber?: SecretScrubber;
}

export interface Runtime {
  config: EveConfig;
  log: Logger;
  probot: Probot;
  queues: StageQueues;
  /** Redis for the live part of each log, the artifact store for the whole of it. */
  logStore: KeptLogStore;
  reporter: RunReporter;
  /** Builds, their stage runs and steps with their times: what the build pages show. */
  history: BuildHistory;
  metrics: EveMetrics;
  /** The artifact store (EVE_ARTIFACTS_STORE), made on first use and shared by stages and pages. */
  artifactStore(): Promise<ArtifactStore>;
  /** `/healthz`, `/readyz` and `/metrics`, for Probot's server or `eve worker`'s own. */
  opsHandler: OpsHandler;
  /** Reads the cluster-wide numbers (queues, running stages, worker processes) into `metrics`, as a scrape does. */
  collectMetrics(): Promise<void>;
  /** Starts taking stages of the configured worker types (and the reaper of dead runs' resources). */
  startWorkers(): Promise<StageWorkers>;
  /**
   * Stops taking stages, lets running ones finish for EVE_SHUTDOWN_GRACE, then
   * cancels the rest (check runs `cancelled`, workspaces removed), writes what
   * GitHub still has to hear, and closes the connections.
   */
  close(): Promise<void>;
}

export function createRuntime(config: EveConfig, options: RuntimeOptions = {}): Runtime {
  const scrubber = options.scrubber ?? createSecretScrubber();
  scrubber.addPrivateKey(config.privateKey);
  scrubber.add(config.webhookSecret);
  if (config.statusToken !== undefined) scrubber.add(config.statusToken);
  scrubber.add(config.buildTokenSecret);
  if (config.signIn) scrubber.add(config.signIn.clientSecret);
  for (const secret of workerSettingsSecrets(config.workerSettings)) scrubber.add(secret);
  if (config.artifactStore.s3.credentials !== undefined) scrubber.add(config.artifactStore.s3.credentials.secretAccessKey);
  const log = options.log ?? createEveLogger({ level: config.logLevel, scrubber });
  const metrics = createEveMetrics();
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    baseUrl: config.githubApiUrl,
    log,
    Octokit: options.Octokit ?? createEveOctokit({ metrics }),
  });
  const redisErrors = watchRedisErrors(log);
  const queues = createStageQueues(config.redisUrl, options.prefix, redisErrors.onError("queues"));
  const logRedis = createRedisConnection(config.redisUrl);
  redisErrors.watch("logs", logRedis);
  const workerContext = { workersDir: join(config.workspaceDir, "workers") };
  const provisioners = createProvisionerRegistry(config.workerSettings, workerContext);
  const onError = (error: unknown) => log.warn({ err: error }, "GitHub or log write failed");
  let artifactStore: Promise<ArtifactStore> | undefined;
  const getArtifactStore = () => (artifactStore ??= createArtifactStore(config.artifactStore));
  const logRetentionMs = config.logRetentionDays * DAY_MS;
  const logStore = new KeptLogStore({
    // Logs outlive Redis: it keeps the live part a week at most, the store the whole log for the retention.
    redis: new RedisLogStore(logRedis, { prefix: `${queues.prefix}:log:`, ttlMs: Math.min(logRetentionMs, REDIS_LOG_TTL_MS), onError }),
    archive: new LogArchive(getArtifactStore, { retentionMs: logRetentionMs, onError }),
    maxBytes: config.logMaxBytes,
    onError,
  });
  // Checkouts' and check-run writes' tokens, minted at the configured API root (GitHub Enterprise's too).
  const installationTokens = createInstallationTokens(async () => (await probot.auth()) as unknown as AppTokenClient, (token) => scrubber.add(token));
  // One pace per installation for all of Eve's processes: GitHub's write budget is the installation's.
  const pacer = createRedisWritePacer(queues.redis, queues.prefix);
  const writeQueue = new GitHubWriteQueue({ ...options.writeRetry, onError, pacer, minIntervalMs: options.writeIntervalMs ?? config.githubWriteIntervalMs });
  const history = new BuildHistory({ redis: queues.redis, prefix: queues.prefix, retentionSec: config.buildHistoryDays * 24 * 3600 });
  // The registry of builds and their runs feeds re-runs and PR commands; the history, the build pages.
  const reporter = recordBuildRuns(createRunReporter({
    // Check-run writes on node:http, the token from the installation's Octokit (checks-http-client.ts).
    getOctokit: async (installationId) =>
      createChecksHttpClient({ apiUrl: config.githubApiUrl, getToken: () => installationTokens.get(installationId), octokit: await probot.auth(installationId), installationId, metrics }),
    writeQueue,
    logStore,
    redis: queues.redis,
    prefix: queues.prefix,
    publicUrl: config.publicUrl,
    commitStatus: config.commitStatus,
    onError,
    ...(options.progressIntervalMs === undefined ? {} : { progressIntervalMs: options.progressIntervalMs }),
  }), queues, onError, history);
  const closers: (() => Promise<void>)[] = [];
  const ops = createRuntimeOps({ config, queues, metrics, provisioners, history, writeQueue });

  return {
    config,
    log,
    probot,
    queues,
    logStore,
    reporter,
    history,
    metrics,
    opsHandler: ops.handler,
    collectMetrics: ops.collect,
    artifactStore: getArtifactStore,
    async startWorkers() {
      // Stages stream logs through this process: keep V8's young generation from creeping up over them.
      keepHeapFlat();
      const secrets = await createSecretSource(config, { onError: (error) => log.warn({ err: error }, "Secret refresh failed; keeping the previous values") });
      closers.push(async () => secrets.close());
      const cancels = await createCancelListener(queues);
      const logSweep = startLogSweep(logStore.archive, log);
      closers.push(() => logSweep.stop());
      let running = 0;
      const heartbeat = startWorkerHeartbeat({
        redis: queues.redis,
        prefix: queues.prefix,
        process: THIS_PROCESS,
        capacity: Object.fromEntries(config.workerTypes.map((type) => [type, config.capacity[type] ?? 0])),
        intervalMs: HEARTBEAT_MS,
        onError: redisErrors.onError("heartbeat"),
      });
      closers.push(() => heartbeat.stop());
      // Retention: every process that runs stages collects (a second collector at once is harmless).
      const artifactGc = startArtifactGc(await getArtifactStore(), { intervalMs: config.artifactStore.gcIntervalSec * 1000, log });
      const reaper = startReaper({
        instance: config.instance,
        sweepers: [new CheckoutReaper(join(config.workspaceDir, "checkouts")), ...(await createWorkerSweepers(config.workerSettings, config.workerTypes, workerContext))],
        queues,
        intervalSec: config.reapIntervalSec,
        log,
        metrics,
      });
      const workers = await startStageWorkers({
        queues,
        types: [...new Set([...config.workerTypes, ...UNIMPLEMENTED_WORKER_TYPES])],
        capacity: config.capacity,
        onError: redisErrors.onError("workers"),
        onFailed: reportFailedStage({ reporter, queues, metrics, log }),
        lockLostReason: () => "this worker process lost the stage to another one (cut off from Redis too long)",
        lockDurationMs: config.workerLostAfterSec * 1000,
        createProcessor: (slots) =>
          observeStage(createStageProcessor({
            queues,
            reporter,
            cancels,
            provisioners,
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
            artifactsNaming: { ...config.artifactsNaming, mintToken: (container) => createBuildAccessToken(config.buildTokenSecret, container, Date.now() + BUILD_TOKEN_TTL_MS) },
            artifacts: { store: getArtifactStore(), settings: config.artifactStore },
            ...(config.dockerSteps ? { dockerSteps: config.dockerSteps } : {}),
            ...(config.coverage ? { coverage: config.coverage } : {}),
            onError: (error, what) => log.warn({ err: error }, what),
            getInstallationToken: (installationId) => installationTokens.get(installationId),
            slots,
            triggerLimits: config.triggerLimits,
            trustedOnlyWorkers: config.trustedOnlyWorkers,
            logUrl: (run) => `${config.publicUrl}/logs/${run}`,
          }), { log, metrics, logStore, reapRun: (run) => reaper.reapRun(run), onRunning: (delta) => (running += delta) }),
      });
      closers.push(async () => {
        const stopping = workers.close();
        const grace = setTimeout(() => {
          log.warn({ graceSec: config.shutdownGraceSec }, "Shutdown grace is over: cancelling the stages still running");
          workers.cancelAll("Eve's worker process was stopped before the stage ended");
        }, config.shutdownGraceSec * 1000);
        const closed = await Promise.race([stopping.then(() => true), idleThenTimeout(() => running === 0, CLOSE_AFTER_IDLE_MS).then(() => false)]);
        if (!closed) log.warn("Stage workers idle but BullMQ did not close them; going on with the shutdown");
        clearTimeout(grace);
        log.debug("Shutdown: workers stopped; closing the reaper and the cancel listener");
        await reaper.close();
        await cancels.close();
        await artifactGc.stop();
        await closeProvisioners(provisioners);
      });
      return workers;
    },
    async close() {
      for (const close of closers.splice(0)) await close();
      log.debug("Shutdown: stage workers closed; flushing GitHub writes and logs");
      await writeQueue.flush();
      await logStore.flush();
      log.debug("Shutdown: closing queues");
      await queues.close();
      await logRedis.quit().catch(() => undefined);
      await artifactStore?.then((store) => store.close(), () => undefined);
      log.debug("Shutdown: done");
    },
  };
}

const DAY_MS = 24 * 3600 * 1000;
/** A worker process's heartbeat for the operator page; it counts as lost after EVE_WORKER_LOST_AFTER. */
const HEARTBEAT_MS = 10_000;
const REDIS_LOG_TTL_MS = 7 * DAY_MS;

/**
 * BullMQ 6.7's Worker.close() can hang after Redis was restarted (it waits for
 * its blocking connection to end, which never comes). Once no stage runs here
 * any more, and BullMQ had time to record the last results, stop waiting.
 */
const CLOSE_AFTER_IDLE_MS = 5_000;

async function idleThenTimeout(isIdle: () => boolean, ms: number): Promise<void> {
  while (!isIdle()) await new Promise((resolve) => setTimeout(resolve, 200));
  await new Promise((resolve) => setTimeout(resolve, ms));
}
