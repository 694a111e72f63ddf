/**
 * The queue's RunReporter on GitHub check runs: one CheckRunReporter per stage
 * run (each knows its commit), sharing the process's write queue and log store.
 *
 * Reporting never holds a stage back: the job is added at once and its
 * `queued` check run is created in the background, through the installation's
 * write lane. A stage that starts in the same process reports through that
 * same reporter, so its start joins the create if it still waits: created
 * `in_progress`, ahead of the lane's backlog. For other worker
 * processes the id is published in Redis; their worker holds its reports
 * until the id is known (deferObserver), so they update that check run
 * instead of making a second one.
 */
import type { Redis } from "ioredis";
import type { LogStore } from "../logs/log-store.js";
import type { StageJobData } from "../queue/job-data.js";
import type { RunReporter } from "../queue/run-reporter.js";
import { CheckRunReporter } from "../reporting/check-run-reporter.js";
import type { ChecksClient } from "../reporting/checks-client.js";
import type { GitHubWriteQueue } from "../reporting/github-write-queue.js";
import { deferObserver } from "./deferred-observer.js";

export interface RunReporterOptions {
  /** An installation's client for check runs and statuses (in the app, checks-http-client.ts's). */
  getOctokit(installationId: number): Promise<ChecksClient>;
  writeQueue: GitHubWriteQueue;
  logStore: LogStore;
  /** Where check-run ids are shared between processes, under `prefix`. */
  redis: Redis;
  prefix: string;
  /** Public base URL of the app; log pages are `<publicUrl>/logs/<run>`. */
  publicUrl: string;
  /** Post a commit status for top stages. */
  commitStatus: boolean;
  warningsConclusion?: "neutral" | "success";
  progressIntervalMs?: number;
  /** How long a worker waits for another process to create the queued check run before creating its own. */
  checkRunWaitMs?: number;
  onError(error: unknown): void;
}

const ID_TTL_SECONDS = 7 * 24 * 3600;

export function createRunReporter(options: RunReporterOptions): RunReporter {
  // One client per installation, made once: it keeps its own token fresh (checks-http-client.ts asks
  // installation-tokens.ts at every write).
  const clients = new Map<number, Promise<ChecksClient>>();
  const creating = new Map<string, Promise<number | undefined>>();
  /** The reporters that queue check runs in this process, by run, for a worker that starts the run here. */
  const queuedHere = new Map<string, Promise<CheckRunReporter>>();
  const idKey = (run: string) => `${options.prefix}:checkrun:${run}`;
  const clientFor = (installationId: number): Promise<ChecksClient> => {
    let client = clients.get(installationId);
    if (!client) {
      client = options.getOctokit(installationId);
      client.catch(() => clients.delete(installationId));
      clients.set(installationId, client);
    }
    return client;
  };
  const reporterFor = async (run: StageJobData): Promise<CheckRunReporter> =>
    new CheckRunReporter({
      octokit: await clientFor(run.installationId),
      installationId: run.installationId,
      owner: run.repository.owner,
      repo: run.repository.name,
      headSha: run.sha,
      writeQueue: options.writeQueue,
      logStore: options.logStore,
      logUrl: (id) => `${options.publicUrl}/logs/${id}`,
      buildUrl: (build) => `${options.publicUrl}/builds/${build}`,
      commitStatus: options.commitStatus && run.parent === undefined,
      topStage: run.parent === undefined,
      onError: options.onError,
      ...(options.warningsConclusion === undefined ? {} : { warningsConclusion: options.warningsConclusion }),
      ...(options.progressIntervalMs === undefined ? {} : { progressIntervalMs: options.progressIntervalMs }),
    });
  /** The id of the run's queued check run, once created (undefined after the wait: the worker creates one). */
  const checkRunIdOf = async (run: StageJobData): Promise<number | undefined> => {
    if (run.checkRunId !== undefined) return run.checkRunId;
    const local = creating.get(run.stage.run);
    if (local) return local.catch(() => undefined);
    const deadline = Date.now() + (options.checkRunWaitMs ?? 60_000);
    // Not much longer than a write takes: npm start's stage process waits so for every top stage, whose
    // create is usually out within a few ms of the job's start.
    for (let delay = 5; Date.now() < deadline; delay = Math.min(delay * 2, 100)) {
      const stored = await options.redis.get(idKey(run.stage.run));
      if (stored !== null) return Number(stored);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return undefined;
  };
  // Out here, not in queued(): a timer made there would keep all of queued()'s scope, its reporter too, for the
  // minute (a fan-out's thousand stages kept ~8 MB so).
  const forgetLater = (run: string) =>
    setTimeout(() => {
      creating.delete(run);
      queuedHere.delete(run);
    }, 60_000).unref();
  const attached = async (run: StageJobData) => {
    // Once only: a run started again (a stalled job) attaches by id, as the first reporter forgot the finished run.
    const sharing = queuedHere.get(run.stage.run);
    queuedHere.delete(run.stage.run);
    const shared = await sharing?.catch(() => undefined);
    if (shared) return { reporter: shared, ready: Promise.resolve() };
    const reporter = await reporterFor(run);
    const ready = checkRunIdOf(run).then((id) => {
      if (id !== undefined) reporter.useCheckRun(run.stage, id);
    });
    return { reporter, ready };
  };
  return {
    queued(run) {
      // The closures below use `stage` only: while a create waits its turn they hold no more of the job's data.
      const { stage } = run;
      const reporter = reporterFor(run);
      queuedHere.set(stage.run, reporter);
      const created = (async () => {
        const id = await (await reporter).ensureQueued(stage);
        // For other processes only (this one has `id`), not awaited; at once, not with the process's batch of
        // writes: npm start's stage process polls for it, and its in_progress and completed wait on it.
        options.redis.set(idKey(stage.run), String(id), "EX", ID_TTL_SECONDS).catch(options.onError);
        return id;
      })();
      creating.set(stage.run, created);
      created.then(
        () => forgetLater(stage.run),
        (error: unknown) => {
          forgetLater(stage.run);
          options.onError(error);
        },
      );
      return Promise.resolve(undefined);
    },
    async start(run) {
      const { reporter, ready } = await attached(run);
      const { observer, replayed } = deferObserver(reporter, ready);
      return {
        observer,
        done: async () => {
          await replayed;
          await reporter.flush();
        },
      };
    },
    async finishUnstarted(run, outcome) {
      try {
        const { reporter, ready } = await attached(run);
        await ready;
        reporter.stageFinished(run.stage, outcome);
        await reporter.flush();
      } catch (error) {
        options.onError(error);
      }
    },
  };
}
