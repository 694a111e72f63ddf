import { WriteLane } from "./write-lane.js";
import type { WriteTask } from "./write-task.js";

export type { WriteTask } from "./write-task.js";

/** The part of an Octokit response or RequestError the queue reads. */
interface HttpOutcome {
  status?: number;
  headers?: Record<string, string | number | undefined>;
  response?: { headers?: Record<string, string | number | undefined> };
  message?: string;
}

/**
 * How soon a write should go, most urgent first. A lane sends its most urgent
 * waiting write next (in order of arrival within one priority), so a new
 * push's first check run and a started stage's `in_progress` never wait behind
 * a fan-out's backlog: what runs now shows first, then what ended, then what
 * waits to start.
 */
export const WritePriority = {
  /** The first write of a newly pushed build: the push's feedback on GitHub. */
  firstOfBuild: 0,
  /** A running stage whose start GitHub does not show yet: its create or `in_progress`. */
  started: 1,
  /** A stage that ended before GitHub showed it running: its one write shows that it ran, and how it ended. */
  endedUnseen: 2,
  /** Other ends: completions of stages GitHub shows running, more annotations, final statuses (the default). */
  finished: 3,
  /** Queued creates of stages that have not started: when the budget is short they wait, and a start or end joins them. */
  queued: 4,
  /** Progress updates of running stages: they matter least and coalesce. */
  progress: 5,
} as const;

/** One installation's pace shared with the other processes that write for it (runtime/redis-write-pacer.ts). */
export interface WritePacer {
  /** Takes the installation's next write slot, `intervalMs` after the one before it in any process; resolves with the ms to wait for it. */
  reserve(installation: string, intervalMs: number): Promise<number>;
  /** No process writes for the installation for `ms` (GitHub asked to wait). */
  holdBack(installation: string, ms: number): Promise<void>;
}

export interface GitHubWriteQueueOptions {
  /** Pause between two writes of one installation (default 1000: GitHub asks for ≥ 1 s between writes). */
  minIntervalMs?: number;
  /**
   * Spaces the writes across processes too (without it, or when it fails, each process spaces its own).
   * Not asked when minIntervalMs is 0.
   */
  pacer?: WritePacer;
  /** Longest back-off between retries (default 60 s). */
  maxBackoffMs?: number;
  /** First back-off after a 5xx or a timeout (default 1 s; doubles each time). */
  baseBackoffMs?: number;
  /** Wait after a secondary rate limit without `retry-after` (default 60 s, as GitHub asks). */
  secondaryLimitWaitMs?: number;
  /** A request taking longer is aborted and retried (default 30 s). */
  timeoutMs?: number;
  /** Attempts before giving up: non-final (default 5) and final (default 30) writes. */
  maxAttempts?: number;
  maxFinalAttempts?: number;
  /** Told about every write that failed for good. */
  onError?: (error: unknown) => void;
}

/**
 * Serialises GitHub writes per installation (GitHub's advice against secondary
 * rate limits), sends the most urgent waiting one first (WritePriority) among
 * those ready (WriteTask.ready: one not ready never holds the lane), spaces
 * them, honours `retry-after` and `x-ratelimit-*`, retries 5xx and timeouts
 * with back-off. Installations have separate lanes, so a busy
 * one never delays another's writes.
 */
export class GitHubWriteQueue {
  readonly #lanes = new Map<string, WriteLane>();
  readonly #options: Required<Omit<GitHubWriteQueueOptions, "onError" | "pacer">>;
  readonly #onError: (error: unknown) => void;
  readonly #pacer: WritePacer | undefined;

  constructor(options: GitHubWriteQueueOptions = {}) {
    const { onError, pacer, ...rest } = options;
    this.#onError = onError ?? (() => {});
    this.#pacer = pacer;
    this.#options = {
      minIntervalMs: 1000,
      maxBackoffMs: 60_000,
      baseBackoffMs: 1000,
      secondaryLimitWaitMs: 60_000,
      timeoutMs: 30_000,
      maxAttempts: 5,
      maxFinalAttempts: 30,
      ...rest,
    };
  }

  /** Queues a write on `installation`'s lane; resolves with its result, rejects when it failed for good. */
  enqueue<T>(installation: string | number, task: WriteTask<T>): Promise<T> {
    const lane = this.#lane(String(installation));
    return new Promise<T>((resolve, reject) => {
      lane.add(task as WriteTask<unknown>, task.priority ?? WritePriority.finished, { resolve: resolve as (value: unknown) => void, reject });
      lane.running ??= this.#drain(lane);
    });
  }

  /** Writes queued or being sent, per installation that has any (the operator page). */
  backlog(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [installation, lane] of this.#lanes) {
      const count = lane.size + (lane.sending ? 1 : 0);
      if (count > 0) counts.set(installation, count);
    }
    return counts;
  }

  /** Resolves once every queued write has been sent or given up (for shutdown). */
  async flush(): Promise<void> {
    for (;;) {
      const running = [...this.#lanes.values()].map((lane) => lane.running).filter((p) => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  #lane(installation: string): WriteLane {
    let lane = this.#lanes.get(installation);
    if (!lane) {
      lane = new WriteLane(installation);
      this.#lanes.set(installation, lane);
    }
    return lane;
  }

  async #drain(lane: WriteLane): Promise<void> {
    while (lane.size > 0) {
      const next = lane.take();
      // Every waiting write awaits its `ready`: the lane sleeps until one is ready or a new one comes.
      if (next === undefined) {
        await lane.somethingNew();
        continue;
      }
      lane.sending = true;
      try {
        const result = await this.#send(lane, next.task);
        for (const waiter of next.waiters) waiter.resolve(result);
      } catch (error) {
        this.#onError(error);
        for (const waiter of next.waiters) waiter.reject(error);
      } finally {
        lane.sending = false;
      }
    }
    lane.running = undefined;
  }

  async #send(lane: WriteLane, task: WriteTask<unknown>): Promise<unknown> {
    const { timeoutMs, maxBackoffMs, baseBackoffMs } = this.#options;
    const maxAttempts = task.final ? this.#options.maxFinalAttempts : this.#options.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      await sleep(lane.notBefore - Date.now());
      await this.#pace(lane);
      try {
        const result = await task.run(AbortSignal.timeout(timeoutMs));
        this.#noteQuota(lane, result as HttpOutcome | undefined);
        return result;
      } catch (error) {
        const wait = this.#retryDelay(error as HttpOutcome, attempt, baseBackoffMs, maxBackoffMs);
        if (wait === undefined || attempt >= maxAttempts) throw error;
        lane.notBefore = Math.max(lane.notBefore, Date.now() + wait);
        // GitHub's limits are the installation's: a rate limit's wait holds every process back.
        if (isRateLimited(error as HttpOutcome)) await this.#pacer?.holdBack(lane.installation, wait).catch(() => undefined);
      }
    }
  }

  /** Waits for the installation's next write slot across processes when a pacer is shared; else spaces this process's own. */
  async #pace(lane: WriteLane): Promise<void> {
    const { minIntervalMs } = this.#options;
    if (minIntervalMs <= 0) return;
    const shared = await this.#pacer?.reserve(lane.installation, minIntervalMs).catch(() => undefined);
    if (shared !== undefined) return sleep(shared);
    lane.notBefore = Date.now() + minIntervalMs;
  }

  /** After a success: when the hourly quota is spent, wait for its reset. */
  #noteQuota(lane: WriteLane, outcome: HttpOutcome | undefined): void {
    const headers = outcome?.headers;
    if (headers && String(headers["x-ratelimit-remaining"]) === "0") {
      lane.notBefore = Math.max(lane.notBefore, Number(headers["x-ratelimit-reset"]) * 1000 || 0);
    }
  }

  /** How long to wait before retrying, or undefined when retrying cannot help. */
  #retryDelay(error: HttpOutcome, attempt: number, base: number, max: number): number | undefined {
    const status = error?.status;
    const headers = error?.response?.headers ?? {};
    const backoff = Math.min(max, base * 2 ** (attempt - 1));
    if (status === 403 || status === 429) {
      const retryAfter = Number(headers["retry-after"]);
      if (Number.isFinite(retryAfter) && headers["retry-after"] !== undefined) return retryAfter * 1000;
      if (String(headers["x-ratelimit-remaining"]) === "0") return Math.max(0, Number(headers["x-ratelimit-reset"]) * 1000 - Date.now());
      // GitHub signals a secondary limit without headers only in the message (as @octokit/plugin-throttling reads it).
      if (status === 429 || /secondary rate limit/i.test(error.message ?? "")) return Math.max(this.#options.secondaryLimitWaitMs, backoff);
      return undefined;
    }
    if (status === undefined || status >= 500) return backoff;
    return undefined;
  }
}

function isRateLimited(error: HttpOutcome): boolean {
  return error?.status === 403 || error?.status === 429;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
