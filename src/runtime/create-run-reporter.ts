/**
 * The queue's RunReporter on GitHub check runs: one CheckRunReporter per stage
 * run (each knows its commit), sharing the process's write queue and log store.
 * The check run created `queued` by the enqueuing process travels as an id in
 * the job data, so the worker process updates that one.
 */
import type { StageIdentity } from "../engine/types.js";
import type { LogStore } from "../logs/log-store.js";
import type { StageJobData } from "../queue/job-data.js";
import type { RunReporter } from "../queue/run-reporter.js";
import { CheckRunReporter } from "../reporting/check-run-reporter.js";
import type { ChecksClient } from "../reporting/checks-client.js";
import type { GitHubWriteQueue } from "../reporting/github-write-queue.js";

export interface RunReporterOptions {
  /** An installation client (Probot's `app.auth(installationId)`). */
  getOctokit(installationId: number): Promise<ChecksClient>;
  writeQueue: GitHubWriteQueue;
  logStore: LogStore;
  /** Public base URL of the app; log pages are `<publicUrl>/logs/<run>`. */
  publicUrl: string;
  /** Post a commit status for top stages. */
  commitStatus: boolean;
  warningsConclusion?: "neutral" | "success";
  progressIntervalMs?: number;
  onError(error: unknown): void;
}

export function createRunReporter(options: RunReporterOptions): RunReporter {
  // One client per installation: it refreshes its own token (auth-app caches and renews it).
  const clients = new Map<number, Promise<ChecksClient>>();
  const clientFor = (installationId: number): Promise<ChecksClient> => {
    let client = clients.get(installationId);
    if (!client) {
      client = options.getOctokit(installationId);
      client.catch(() => clients.delete(installationId));
      clients.set(installationId, client);
    }
    return client;
  };
  const reporterFor = async (run: StageJobData): Promise<CheckRunReporter> => {
    const reporter = new CheckRunReporter({
      octokit: await clientFor(run.installationId),
      installationId: run.installationId,
      owner: run.repository.owner,
      repo: run.repository.name,
      headSha: run.sha,
      writeQueue: options.writeQueue,
      logStore: options.logStore,
      logUrl: (id) => `${options.publicUrl}/logs/${id}`,
      commitStatus: options.commitStatus && run.parent === undefined,
      onError: options.onError,
      ...(options.warningsConclusion === undefined ? {} : { warningsConclusion: options.warningsConclusion }),
      ...(options.progressIntervalMs === undefined ? {} : { progressIntervalMs: options.progressIntervalMs }),
    });
    if (run.checkRunId !== undefined) reporter.useCheckRun(run.stage, run.checkRunId);
    return reporter;
  };
  return {
    async queued(run) {
      return (await reporterFor(run)).ensureQueued(run.stage);
    },
    async start(run) {
      const reporter = await reporterFor(run);
      return { observer: reporter, done: () => reporter.flush() };
    },
    async finishUnstarted(run, outcome) {
      const reporter = await reporterFor(run);
      reporter.stageFinished(run.stage as StageIdentity, outcome);
      await reporter.flush();
    },
  };
}
