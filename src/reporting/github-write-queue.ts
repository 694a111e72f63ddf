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
 * a fan-out's backlog of creates, completions and progress updates.
 */
export const WritePriority = {
  /** The first write of a newly pushed build: the push's feedback on GitHub. */
  firstOfBuild: 0,
  /** A stage that started: its `in_progress` (or the create it joined). */
  started: 1,
  /** Queued creates of triggered stages, completions (the default). */
  state: 2,
  /** Progress updates of running stages: they matter least and coalesce. */
  progress: 3,
} as const;

/** A write to GitHub. */
export interface WriteTask<T> {
  /**
   * Tasks with the same key in one installation's lane coalesce: a task still
   * waiting is replaced by the newer one, and both callers get its result
   * (only the latest state of a check run matters).
   */
  key?: string;
  /** Final states are retried longer: they must arrive eventually. */
  final?: boolean;
  /** A WritePriority (default `state`); a coalesced write keeps the more urgent of both (and, raised, lines up anew). */
  priority?: number;
  /** Performs the write; `signal` aborts it on timeout. */
  run(signal: AbortSignal): Promise<T>;
}

export interface GitHubWriteQueueOptions {
  /** Pause between two writes of one installation (default 1000: GitHub asks for ≥ 1 s between writes). */
  minIntervalMs?: number;
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

interface Pending {
  key: string | undefined;
  task: WriteTask<unknown>;
  waiters: { resolve: (value: unknown) => void; reject: (error: unknown) => void }[];
}

interface Lane {
  queue: Pending[];
  notBefore: number;
  running: Promise<void> | undefined;
}

/**
 * Serialises GitHub writes per installation (GitHub's advice against secondary
 * rate limits), sends the most urgent waiting one first (WritePriority), spaces
 * them, honours `retry-after` and `x-ratelimit-*`, retries 5xx and timeouts
 * with back-off. Installations have separate lanes, so a busy
 * one never delays another's writes.
 */
export class GitHubWriteQueue {
  readonly #lanes = new Map<string, Lane>();
  readonly #options: Required<Omit<GitHubWriteQueueOptions, "onError">>;
  readonly #onError: (error: unknown) => void;

  constructor(options: GitHubWriteQueueOptions = {}) {
    const { onError, ...rest } = options;
    this.#onError = onError ?? (() => {});
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
      const waiter = { resolve: resolve as (value: unknown) => void, reject };
      const waiting = task.key === undefined ? undefined : lane.queue.find((p) => p.key === task.key);
      if (waiting) {
        const priority = Math.min(priorityOf(task), priorityOf(waiting.task));
        // Made more urgent, it lines up as arriving now: among its new peers, it came last.
        if (priority < priorityOf(waiting.task)) lane.queue.push(...lane.queue.splice(lane.queue.indexOf(waiting), 1));
        waiting.task = { ...task, final: task.final === true || waiting.task.final === true, priority } as WriteTask<unknown>;
        waiting.waiters.push(waiter);
      } else lane.queue.push({ key: task.key, task: task as WriteTask<unknown>, waiters: [waiter] });
      lane.running ??= this.#drain(lane);
    });
  }

  /** Writes queued or being sent, per installation that has any (the operator page). */
  backlog(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [installation, lane] of this.#lanes) {
      const count = lane.queue.length + (lane.running ? 1 : 0);
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

  #lane(installation: string): Lane {
    let lane = this.#lanes.get(installation);
    if (!lane) {
      lane = { queue: [], notBefore: 0, running: undefined };
      this.#lanes.set(installation, lane);
    }
    return lane;
  }

  async #drain(lane: Lane): Promise<void> {
    for (let next = takeMostUrgent(lane.queue); next; next = takeMostUrgent(lane.queue)) {
      try {
        const result = await this.#send(lane, next.task);
        for (const waiter of next.waiters) waiter.resolve(result);
      } catch (error) {
        this.#onError(error);
        for (const waiter of next.waiters) waiter.reject(error);
      }
    }
    lane.running = undefined;
  }

  async #send(lane: Lane, task: WriteTask<unknown>): Promise<unknown> {
    const { minIntervalMs, timeoutMs, maxBackoffMs, baseBackoffMs } = this.#options;
    const maxAttempts = task.final ? this.#options.maxFinalAttempts : this.#options.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      await sleep(lane.notBefore - Date.now());
      lane.notBefore = Date.now() + minIntervalMs;
      try {
        const result = await task.run(AbortSignal.timeout(timeoutMs));
        this.#noteQuota(lane, result as HttpOutcome | undefined);
        return result;
      } catch (error) {
        const wait = this.#retryDelay(error as HttpOutcome, attempt, baseBackoffMs, maxBackoffMs);
        if (wait === undefined || attempt >= maxAttempts) throw error;
        lane.notBefore = Math.max(lane.notBefore, Date.now() + wait);
      }
    }
  }

  /** After a success: when the hourly quota is spent, wait for its reset. */
  #noteQuota(lane: Lane, outcome: HttpOutcome | undefined): void {
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

function priorityOf(task: WriteTask<unknown>): number {
  return task.priority ?? WritePriority.state;
}

/** Removes and returns the first of the most urgent waiting writes. */
function takeMostUrgent(queue: Pending[]): Pending | undefined {
  let best = 0;
  for (let i = 1; i < queue.length; i++) if (priorityOf((queue[i] as Pending).task) < priorityOf((queue[best] as Pending).task)) best = i;
  return queue.splice(best, 1)[0];
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
