import type { StageIdentity, StageObserver, StageOutcome, StepOutcome } from "../engine/types.js";
import type { LogStore } from "../logs/log-store.js";
import type { ChecksClient, CheckRunFields, CommitStatusParams } from "./checks-client.js";
import { getCheckRunWrite } from "./check-run-fields.js";
import { formatExternalId } from "./external-id.js";
import { cut } from "./format-check-output.js";
import { WritePriority, type GitHubWriteQueue } from "./github-write-queue.js";
import { StageRunRecord } from "./stage-run-record.js";

export interface CheckRunReporterOptions {
  /** An installation client: `@octokit/rest` Octokit or Probot's (`await app.auth(installationId)`). */
  octokit: ChecksClient;
  /** The installation: its writes share one lane of `writeQueue`. */
  installationId: number;
  owner: string;
  repo: string;
  /** The commit the check runs and the status are on. */
  headSha: string;
  /** One per process, shared by every reporter. */
  writeQueue: GitHubWriteQueue;
  logStore: LogStore;
  /** Eve's log page for a run: the check run's `details_url` and the status' `target_url`. */
  logUrl: (run: string) => string;
  /** Eve's page of the run's whole build, linked from the summary. */
  buildUrl?: (build: string) => string;
  /** Also post a commit status (context: the stage name). Set for the top stage unless the operator turned it off. */
  commitStatus?: boolean;
  /** The build's top stage: its queued check run is the push's first feedback and goes ahead of other writes. */
  topStage?: boolean;
  /** A progress update comes no sooner than this after the previous write (default 10 s). */
  progressIntervalMs?: number;
  /**
   * Progress updates per run (default 1): with create, in_progress and
   * completed, at most 4 writes per run of ≤ 50 annotations, however long it
   * runs. The live log is on the details page.
   */
  maxProgressUpdates?: number;
  /**
   * How long the `in_progress` update of a stage whose check run GitHub shows
   * `queued` waits (default 200 ms): a stage that ends sooner shows `completed`
   * in one write instead of two, still well within a second of its start,
   * and the installation's write budget goes further. 0 sends it at once.
   */
  startHoldMs?: number;
  /** Conclusion for `warnings` (default neutral). */
  warningsConclusion?: "neutral" | "success";
  /** Checkout directories, to make annotation paths repository-relative. */
  annotationRoots?: readonly string[];
  /** Annotations kept per run (default 1000). */
  maxAnnotations?: number;
  /** Characters of log kept for the check run's text (default 64 000). */
  tailChars?: number;
  /** Told about writes that failed for good (the stage goes on regardless). */
  onError?: (error: unknown) => void;
}

/** CheckRunReporterOptions.startHoldMs' default: a fan-out's one-step stages end well within it. */
const DEFAULT_START_HOLD_MS = 200;

/**
 * Reports stage runs as GitHub check runs named after their stage: created
 * `queued` (ensureQueued), `in_progress` when the stage starts, a progress
 * update an interval later (maxProgressUpdates), `completed` with conclusion, title, summary,
 * log tail and annotations (50 with the completion, the rest 50 per update).
 * Observer calls return at once: writes go through the installation's lane
 * of the write queue, built from the latest state when they are sent, so
 * updates coalesce. Output also goes to the log store.
 */
export class CheckRunReporter implements StageObserver {
  readonly #options: CheckRunReporterOptions;
  readonly #runs = new Map<string, StageRunRecord>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #onError: (error: unknown) => void;

  constructor(options: CheckRunReporterOptions) {
    this.#options = options;
    this.#onError = options.onError ?? (() => {});
  }

  /** Creates the run's check run as `queued` (once per run); resolves with its id. */
  async ensureQueued(stage: StageIdentity): Promise<number> {
    const record = this.#record(stage);
    if (record.checkRunId !== undefined) return record.checkRunId;
    // The worker that runs the stage writes its log on from this line.
    const released = this.#options.logStore.appendQueued(stage.run, `Queued stage ${stage.stage} (attempt ${stage.attempt})`).catch(this.#onError);
    this.#postStatus(record, "pending", "queued");
    await this.#sync(record);
    await released;
    return record.checkRunId ?? Promise.reject(new Error(`check run for ${stage.stage} was not created`));
  }

  /** Attaches the check run created earlier (e.g. by the process that enqueued the stage; its id came in the job data). */
  useCheckRun(stage: StageIdentity, checkRunId: number): void {
    const record = this.#record(stage);
    record.checkRunId = checkRunId;
    record.sentVersion = record.version;
    record.shownStatus = "queued";
    // Its creator (ensureQueued) posted the pending status: a second one, "running", would be one more write for no news.
    record.statusPosted = true;
  }

  stageStarted(stage: StageIdentity): void {
    const record = this.#record(stage);
    record.status = "in_progress";
    record.startedAt = new Date().toISOString();
    record.version++;
    this.#postStatus(record, "pending", "running");
    const { startHoldMs = DEFAULT_START_HOLD_MS } = this.#options;
    // Ahead of the lane's backlog: the queued create if it still waits (joined, it is created in_progress), else in_progress.
    if (record.checkRunId === undefined || startHoldMs <= 0) {
      void this.#sync(record);
      return;
    }
    // Shown queued: the start waits a moment, so that a short stage's end carries it.
    record.startTimer = setTimeout(() => {
      record.startTimer = undefined;
      if (record.status === "in_progress") void this.#sync(record);
    }, startHoldMs);
  }

  stepStarted(stage: StageIdentity, index: number, name: string): void {
    const record = this.#record(stage);
    record.runningStep = name;
    record.addLine(`── step ${index + 1}: ${name} ──`);
    this.#options.logStore.appendStep(stage.run, index, name);
    this.#progress(record);
  }

  output(stage: StageIdentity, text: string): void | Promise<void> {
    const record = this.#record(stage);
    record.addText(text);
    record.annotations.push(text);
    this.#progress(record);
    return this.#options.logStore.append(stage.run, text);
  }

  info(stage: StageIdentity, line: string): void {
    const record = this.#record(stage);
    record.addLine(line);
    this.#options.logStore.appendInfo(stage.run, line);
    this.#progress(record);
  }

  stepFinished(stage: StageIdentity, _index: number, outcome: StepOutcome): void {
    const record = this.#record(stage);
    record.annotations.end();
    record.steps.push(outcome);
    for (const link of outcome.links ?? []) this.#options.logStore.appendLink(stage.run, link.name, link.url);
    record.runningStep = undefined;
    record.version++;
    this.#progress(record);
  }

  stageFinished(stage: StageIdentity, outcome: StageOutcome): void {
    const record = this.#record(stage);
    record.annotations.end();
    clearTimeout(record.progressTimer);
    clearTimeout(record.startTimer);
    record.startTimer = undefined;
    record.status = "completed";
    record.outcome = outcome;
    record.completedAt = new Date().toISOString();
    record.version++;
    let whole: () => void = () => {};
    const readable = new Promise<void>((resolve) => (whole = resolve));
    const end = { result: outcome.result, summary: outcome.summary, durationMs: outcome.durationMs };
    // Kept for its retention: the reporter's flush (which the process awaits before it exits) waits for that.
    const kept = this.#track(this.#options.logStore.finish(stage.run, end, whole).catch(this.#onError));
    // The end's writes wait for a log its link shows whole (WriteTask.ready), not for the store to finish keeping it.
    // Never rejects (a store that failed is reported, and the end still goes to GitHub).
    record.logWhole = Promise.race([readable, kept]);
    // A long-lived reporter must not keep every run it ever reported.
    void this.#sync(record).finally(() => this.#runs.delete(stage.run));
    // After the check run's write: on an idle lane the first write queued goes first, and the check run is the news.
    const state = { success: "success", warnings: "success", skipped: "success", failure: "failure" } as const;
    if (outcome.result !== "retry") this.#postStatus(record, state[outcome.result as keyof typeof state] ?? "error", outcome.summary || outcome.result);
  }

  /** Resolves once everything this reporter has to write has been written (or given up): call before exit. */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #record(stage: StageIdentity): StageRunRecord {
    let record = this.#runs.get(stage.run);
    if (!record) {
      const { tailChars = 64_000, annotationRoots = [], maxAnnotations = 1000 } = this.#options;
      record = new StageRunRecord(stage, { tailChars, roots: annotationRoots, maxAnnotations });
      this.#runs.set(stage.run, record);
    }
    return record;
  }

  /**
   * Schedules a progress update no sooner than the interval after the
   * stage's start or the last write, whichever came later (a stage that
   * waited long in the queue gets no update at once: its in_progress is news
   * enough).
   */
  #progress(record: StageRunRecord): void {
    const { progressIntervalMs: interval = 10_000, maxProgressUpdates = 1 } = this.#options;
    if (record.status !== "in_progress" || record.progressTimer || record.progressUpdates >= maxProgressUpdates) return;
    const due = () => Math.max(record.lastWriteAt, Date.parse(record.startedAt ?? "") || 0) + interval;
    record.progressTimer = setTimeout(() => {
      record.progressTimer = undefined;
      if (record.status !== "in_progress") return;
      if (Date.now() < due()) return this.#progress(record);
      record.progressUpdates++;
      void this.#sync(record);
    }, Math.max(0, due() - Date.now()));
    record.progressTimer.unref();
  }

  /**
   * Queues (or joins the queued) write of the record's latest state: one key
   * per run, so a create still waiting carries whatever the run has become
   * when it goes (queued, in_progress or completed) and a start or end never
   * costs a write of its own while the lane is busy.
   */
  #sync(record: StageRunRecord): Promise<unknown> {
    const { writeQueue, installationId } = this.#options;
    const final = record.status === "completed";
    // GitHub hears of the end once the log is whole where the check run links: who follows the link at once reads every line.
    // Waiting in the lane rather than in `run`, the end lets the installation's other writes go meanwhile.
    const ready = final ? record.logWhole : undefined;
    const write = writeQueue.enqueue(installationId, { key: `check:${record.stage.run}`, final, priority: this.#urgency(record), ready, run: (signal) => this.#send(record, signal) });
    return this.#track(write.catch(this.#onError));
  }

  /**
   * How soon the record's latest state should reach GitHub: a new build's
   * first check run, then a started stage GitHub does not show running yet,
   * then ends (first of stages GitHub never showed running), then creates of
   * stages that wait, progress last.
   */
  #urgency(record: StageRunRecord): number {
    if (record.checkRunId === undefined && this.#options.topStage) return WritePriority.firstOfBuild;
    const shownRunning = record.shownStatus === "in_progress";
    if (record.status === "queued") return WritePriority.queued;
    if (record.status === "completed") return shownRunning ? WritePriority.finished : WritePriority.endedUnseen;
    return shownRunning ? WritePriority.progress : WritePriority.started;
  }

  async #send(record: StageRunRecord, signal: AbortSignal): Promise<unknown> {
    // A write taken off the lane just before the stage ended (in its pacing wait) finds it ended: it must not show
    // the end before the log is whole either. The end's own write comes with `ready`, so this costs it nothing.
    if (record.status === "completed") await record.logWhole;
    if (record.checkRunId !== undefined && record.sentVersion === record.version) return undefined;
    const { octokit, owner, repo } = this.#options;
    const version = record.version;
    const { warningsConclusion = "neutral", logUrl, buildUrl } = this.#options;
    const { fields, completed } = getCheckRunWrite(record, { logUrl, buildUrl, warningsConclusion });
    const response =
      record.checkRunId === undefined
        ? await octokit.rest.checks.create({ owner, repo, name: record.stage.stage, head_sha: this.#options.headSha, external_id: formatExternalId(record.stage), details_url: this.#options.logUrl(record.stage.run), ...fields, request: { signal } })
        : await octokit.rest.checks.update({ owner, repo, check_run_id: record.checkRunId, ...fields, request: { signal } });
    if (record.checkRunId === undefined) record.checkRunId = (response.data as { id: number }).id;
    record.sentVersion = version;
    record.shownStatus = fields.status;
    record.lastWriteAt = Date.now();
    if (completed) for (const annotations of completed.moreAnnotations) this.#annotate(record, { ...completed.output, annotations });
    return response;
  }

  /** One more batch of annotations, after the completion. */
  #annotate(record: StageRunRecord, output: NonNullable<CheckRunFields["output"]>): void {
    const { writeQueue, installationId, octokit, owner, repo } = this.#options;
    const checkRunId = record.checkRunId as number;
    const write = writeQueue.enqueue(installationId, { final: true, run: (signal) => octokit.rest.checks.update({ owner, repo, check_run_id: checkRunId, output, request: { signal } }) });
    this.#track(write.catch(this.#onError));
  }

  #postStatus(record: StageRunRecord, state: CommitStatusParams["state"], description: string): void {
    if (!this.#options.commitStatus || (state === "pending" && record.statusPosted)) return;
    record.statusPosted = true;
    const { writeQueue, installationId, octokit, owner, repo, headSha } = this.#options;
    const params: CommitStatusParams = { owner, repo, sha: headSha, state, context: record.stage.stage, description: cut(description, 140), target_url: this.#options.logUrl(record.stage.run) };
    // The check run is the push's feedback; a pending status waiting when the final one comes is dropped for it.
    const [final, priority] = state === "pending" ? [false, WritePriority.queued] : [true, WritePriority.finished];
    // The final status, like the check run's end, waits in the lane for the whole log its target_url shows.
    const ready = final ? record.logWhole : undefined;
    const write = writeQueue.enqueue(installationId, { key: `status:${record.stage.run}`, final, priority, ready, run: (signal) => octokit.rest.repos.createCommitStatus({ ...params, request: { signal } }) });
    this.#track(write.catch(this.#onError));
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise));
    return promise;
  }
}
