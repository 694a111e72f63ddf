/** Size and timing limits of one run's log in Redis (characters, not bytes). */
export interface RunLogLimits {
  /** The first this many characters of a log are always kept. */
  headChars: number;
  /** After the head, only the most recent this many characters are kept. */
  tailChars: number;
  /** A batch is written once it holds this much... */
  batchChars: number;
  /** ...or this long after its first record. */
  batchMs: number;
  /** append() asks the producer to wait while this much is not yet in Redis. */
  highWaterChars: number;
  /** Retention: the log expires this long after its last write. */
  ttlMs: number;
  /**
   * Past the head, output that comes fast (a batch's worth within batchMs)
   * goes to Redis at most this often, and only what the whole-log store
   * does not hold by then (see RedisRunWriter's `add`, `kept`).
   */
  liveMs: number;
}
