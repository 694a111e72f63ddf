import type { WriteTask } from "./write-task.js";

/** Someone waiting for a write's result. */
export interface WriteWaiter {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A write waiting in a lane, with everyone who waits for its result. */
export interface PendingWrite {
  readonly key: string | undefined;
  priority: number;
  task: WriteTask<unknown>;
  readonly waiters: WriteWaiter[];
  /** The task's `ready` while it has not settled: the lane passes over the write until then. */
  notReadyUntil: PromiseLike<unknown> | undefined;
}

/**
 * One installation's waiting writes: the most urgent ready one goes next (in
 * order of arrival within a priority), a write with a key is joined by a
 * newer one with the same key, and a write whose task is not ready yet keeps
 * its priority, its key and its place while the lane sends the others.
 */
export class WriteLane {
  readonly installation: string;
  /** No write goes before this time (ms since the epoch): pacing, back-off, a spent quota. */
  notBefore = 0;
  /** The lane's drain loop while it has writes (the queue's). */
  running: Promise<void> | undefined;
  /** A write is being sent (its attempts, their pacing and back-off included). */
  sending = false;
  /** Waiting writes by priority, each in order of arrival: a Set keeps insertion order, and re-adding moves to the end. */
  readonly #waiting = new Map<number, Set<PendingWrite>>();
  /** The waiting writes that have a key, for coalescing without a scan of a fan-out's backlog. */
  readonly #byKey = new Map<string, PendingWrite>();
  #size = 0;
  /** Waiting writes not ready yet: while there are none, the first of a priority is the one to take, with no scan. */
  #notReady = 0;
  #wake: (() => void) | undefined;

  constructor(installation: string) {
    this.installation = installation;
  }

  /** Writes waiting (ready or not). */
  get size(): number {
    return this.#size;
  }

  /** Queues `task` for `waiter`, or joins the waiting write with its key. */
  add(task: WriteTask<unknown>, priority: number, waiter: WriteWaiter): void {
    const waiting = task.key === undefined ? undefined : this.#byKey.get(task.key);
    if (waiting) {
      // Moved to another priority, it lines up as arriving now: among its new peers, it came last.
      if (priority !== waiting.priority) {
        this.#waiting.get(waiting.priority)?.delete(waiting);
        waiting.priority = priority;
        this.#bucket(priority).add(waiting);
      }
      waiting.task = { ...task, final: task.final === true || waiting.task.final === true };
      waiting.waiters.push(waiter);
      // The newer task is the one that runs, so its readiness alone counts: what the older one waited for was
      // what its own run needed (and a `ready` of the same state, e.g. a log made whole, comes again with it).
      this.#awaitReadiness(waiting, task.ready);
    } else {
      const pending: PendingWrite = { key: task.key, priority, task, waiters: [waiter], notReadyUntil: undefined };
      this.#bucket(priority).add(pending);
      if (task.key !== undefined) this.#byKey.set(task.key, pending);
      this.#size++;
      this.#awaitReadiness(pending, task.ready);
    }
    this.#wakeUp();
  }

  /** Removes and returns the first of the most urgent ready writes; undefined when none is ready. */
  take(): PendingWrite | undefined {
    let next: PendingWrite | undefined;
    for (const [priority, writes] of this.#waiting) {
      if (next !== undefined && next.priority <= priority) continue;
      next = this.#firstReady(writes) ?? next;
    }
    if (next === undefined) return undefined;
    this.#waiting.get(next.priority)?.delete(next);
    if (next.key !== undefined) this.#byKey.delete(next.key);
    this.#size--;
    return next;
  }

  /** Resolves once a waiting write becomes ready or a new one comes: an idle lane's wait, with no polling. */
  somethingNew(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /**
   * Scans past writes that are not ready: there are few (a write waits for
   * little, e.g. its log's last segment), however long the backlog.
   */
  #firstReady(writes: Set<PendingWrite>): PendingWrite | undefined {
    if (this.#notReady === 0) return writes.values().next().value;
    for (const pending of writes) if (pending.notReadyUntil === undefined) return pending;
    return undefined;
  }

  #awaitReadiness(pending: PendingWrite, ready: PromiseLike<unknown> | undefined): void {
    if (pending.notReadyUntil !== undefined) this.#notReady--;
    pending.notReadyUntil = ready;
    if (ready === undefined) return;
    this.#notReady++;
    // Settled either way, it is ready: a rejected `ready` runs the write all the same (WriteTask.ready).
    const settled = () => {
      // Joined meanwhile by a newer task, the write waits for that one's readiness instead.
      if (pending.notReadyUntil !== ready) return;
      pending.notReadyUntil = undefined;
      this.#notReady--;
      this.#wakeUp();
    };
    ready.then(settled, settled);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #bucket(priority: number): Set<PendingWrite> {
    let writes = this.#waiting.get(priority);
    if (!writes) {
      writes = new Set();
      this.#waiting.set(priority, writes);
    }
    return writes;
  }
}
