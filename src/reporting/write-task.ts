/** A write to GitHub (GitHubWriteQueue.enqueue). */
export interface WriteTask<T> {
  /**
   * Tasks with the same key in one installation's lane coalesce: a task still
   * waiting is replaced by the newer one, and both callers get its result
   * (only the latest state of a check run matters). The newer task's `ready`
   * replaces the older one's: it is the newer run that goes.
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
  /**
   * The write is not sent before this settles (e.g. a stage's end waits
   * until its log reads whole where the check run links). Meanwhile it
   * keeps its priority, key and place, and the lane sends the installation's
   * other writes instead of idling: waiting inside `run` would hold the lane.
   * Settled either way, the write is ready: a rejected `ready` still runs it
   * (whoever made the promise reports its failure; the write should still
   * reach GitHub). It must settle, or the write never goes and `flush` waits.
   * Absent or undefined, the write is ready at once.
   */
  ready?: PromiseLike<unknown> | undefined;
  /** Performs the write; `signal` aborts it on timeout. */
  run(signal: AbortSignal): Promise<T>;
}
