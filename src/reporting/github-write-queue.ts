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
  /**
   * A WritePriority (default `finished`). A write that joins a waiting one takes
   * its own priority: it carries the latest state, so it knows how urgent
   * that state is (a start raises a queued create; an end lowers a start
   * not yet shown below the stages still running). Moved, it lines up as
   * arriving now.
   */
  priority?: number;
  /** Performs the write; `signal` aborts it on timeout. */
  run(signal: AbortSignal): Promise<T>;
}

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

interface Pending {
  key: string | undefined;
  priority: number;
  task: WriteTask<unknown>;
  waiters: { resolve: (value: unknown) => void; reject: (error: unknown) => void }[];
}

interface Lane {
  installation: string;
  /** Waiting writes by priority, each in order of arrival: a Set keeps insertion order, and re-adding moves to the end. */
  waiting: Map<number, Set<Pending>>;
  /** The waiting writes that have a key, for coalescing without a scan of a fan-out's backlog. */
  byKey: Map<string, Pending>;
  size: number;
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
      const waiter = { resolve: resolve as (value: unknown) => void, reject };
      const priority = task.priority ?? WritePriority.finished;
      const waiting = task.key === undefined ? undefined : lane.byKey.get(task.key);
      if (waiting) {
        // Moved to another priority, it lines up as arriving now: among its new peers, it came last.
        if (priority !== waiting.priority) {
          lane.waiting.get(waiting.priority)?.delete(waiting);
          waiting.priority = priority;
          bucket(lane, priority).add(waiting);
        }
        waiting.task = { ...task, final: task.final === true || waiting.task.final === true } as WriteTask<unknown>;
        waiting.waiters.push(waiter);
      } else {
        const pending: Pending = { key: task.key, priority, task: task as WriteTask<unknown>, waiters: [waiter] };
        bucket(lane, priority).add(pending);
        if (task.key !== undefined) lane.byKey.set(task.key, pending);
        lane.size++;
      }
      lane.running ??= this.#drain(lane);
    });
  }

  /** Writes queued or being sent, per installation that has any (the operator page). */
  backlog(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [installation, lane] of this.#lanes) {
      const count = lane.size + (lane.running ? 1 : 0);
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
      lane = { installation, waiting: new Map(), byKey: new Map(), size: 0, notBefore: 0, running: undefined };
      this.#lanes.set(installation, lane);
    }
    return lane;
  }

  async #drain(lane: Lane): Promise<void> {
    for (let next = takeMostUrgent(lane); next; next = takeMostUrgent(lane)) {
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
  async #pace(lane: Lane): Promise<void> {
    const { minIntervalMs } = this.#options;
    if (minIntervalMs <= 0) return;
    const shared = await this.#pacer?.reserve(lane.installation, minIntervalMs).catch(() => undefined);
    if (shared !== undefined) return sleep(shared);
    lane.notBefore = Date.now() + minIntervalMs;
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

function isRateLimited(error: HttpOutcome): boolean {
  return error?.status === 403 || error?.status === 429;
}

function bucket(lane: Lane, priority: number): Set<Pending> {
  let writes = lane.waiting.get(priority);
  if (!writes) {
    writes = new Set();
    lane.waiting.set(priority, writes);
  }
  return writes;
}

/** Removes and returns the first of the most urgent waiting writes. */
function takeMostUrgent(lane: Lane): Pending | undefined {
  let most: number | undefined;
  for (const [priority, writes] of lane.waiting) if (writes.size > 0 && (most === undefined || priority < most)) most = priority;
  if (most === undefined) return undefined;
  const writes = lane.waiting.get(most) as Set<Pending>;
  const next = writes.values().next().value as Pending;
  writes.delete(next);
  if (next.key !== undefined) lane.byKey.delete(next.key);
  lane.size--;
  return next;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
