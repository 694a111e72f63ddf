/**
 * The stage queues: one BullMQ queue per worker type, so that each type has
 * its own capacity (a worker process runs at most EVE_MAX_<TYPE>_WORKERS
 * stages of that type; excess stages wait in the queue).
 *
 * Fairness: every job gets a BullMQ priority equal to the number of stage runs
 * its installation has pending (waiting or running) in that queue when it is
 * added. A repository that pushes 200 builds gets priorities 1…200; another
 * installation's single build gets priority 1 and is taken next. BullMQ keeps
 * FIFO order within one priority, so this approximates round-robin across
 * installations without a queue per installation. The counts live in one Redis
 * hash per queue and go down when a run ends (or is removed by cancellation).
 */
import { Queue, QueueEvents } from "bullmq";
import { type ChainableCommander, Redis } from "ioredis";
import type { WorkerType } from "../buildfile/types.js";
import type { StageJobData, StageJobResult } from "./job-data.js";
import { nextReplyAt, RedisWriteBatch, type MultiReplies } from "./redis-write-batch.js";

export type StageQueue = Queue<StageJobData, StageJobResult>;



/** How long writes that need not go out at once wait for others to share their round trip. */
const WRITE_BATCH_MS = 50;

/** BullMQ's highest priority value (lowest precedence). */
const MAX_PRIORITY = 2_097_151;

/** The queues, events and plain Redis connection shared by one process. */
export interface StageQueues {
  /** Key prefix of every Redis key Eve writes (BullMQ's and its own). */
  readonly prefix: string;
  readonly redisUrl: string;
  /** A connection for Eve's own keys (build registry, fairness counts, publishing). */
  readonly redis: Redis;
  /** Writes on `redis` that need not go out at once, shared by the process's stage runs. */
  readonly batch: RedisWriteBatch;
  queue(type: WorkerType): StageQueue;
  /** Events of one queue, opened on first use (waiting for triggered stages). */
  events(type: WorkerType): Promise<QueueEvents>;
  /**
   * Counts one more pending run for the installation, in a MULTI; returns how
   * to read the job priority to use from the MULTI's replies.
   */
  takeFairPriority(multi: ChainableCommander, type: WorkerType, installationId: number): (replies: MultiReplies) => number;
  /** Counts one pending run less (it ended or was removed), with the process's next batch of writes. */
  releaseFairPriority(type: WorkerType, installationId: number): Promise<void>;
  close(): Promise<void>;
}

/** A Redis connection as BullMQ requires it: blocking commands must not give up. */
export function createRedisConnection(redisUrl: string): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export function getQueueName(type: WorkerType): string {
  return `stages-${type}`;
}

/**
 * `onError` hears the queues' and events' connection errors while Redis is
 * away (they reconnect by themselves); without it BullMQ prints them raw.
 */
export function createStageQueues(redisUrl: string, prefix = "eve", onError?: (error: Error) => void): StageQueues {
  const redis = createRedisConnection(redisUrl);
  const batch = new RedisWriteBatch(redis, WRITE_BATCH_MS);
  const queues = new Map<WorkerType, StageQueue>();
  const events = new Map<WorkerType, Promise<QueueEvents>>();
  const eventConnections: Redis[] = [];
  const fairKey = (type: WorkerType): string => `${prefix}:fair:${type}`;

  return {
    prefix,
    redisUrl,
    redis,
    batch,
    queue(type) {
      let queue = queues.get(type);
      if (!queue) {
        queue = new Queue<StageJobData, StageJobResult>(getQueueName(type), { connection: redis, prefix });
        if (onError) queue.on("error", onError);
        queues.set(type, queue);
      }
      return queue;
    },
    events(type) {
      let opened = events.get(type);
      if (!opened) {
        const connection = createRedisConnection(redisUrl);
        eventConnections.push(connection);
        const queueEvents = new QueueEvents(getQueueName(type), { connection, prefix });
        if (onError) queueEvents.on("error", onError);
        opened = queueEvents.waitUntilReady().then(() => queueEvents);
        events.set(type, opened);
      }
      return opened;
    },
    takeFairPriority(multi, type, installationId) {
      const at = nextReplyAt(multi);
      multi.hincrby(fairKey(type), String(installationId), 1);
      return (replies) => {
        const pending = Number(replies[at]?.[1]);
        return Number.isFinite(pending) ? Math.min(Math.max(pending, 1), MAX_PRIORITY) : 1;
      };
    },
    async releaseFairPriority(type, installationId) {
      let at = 0;
      const replies = await batch.add((multi) => {
        at = nextReplyAt(multi);
        multi.hincrby(fairKey(type), String(installationId), -1);
      });
      const [error, left] = replies[at] ?? [null, 0];
      if (error) throw error;
      if (Number(left) <= 0) await redis.hdel(fairKey(type), String(installationId));
    },
    async close() {
      await batch.flush();
      const opened = await Promise.all(events.values());
      await Promise.all([...opened.map((e) => e.close()), ...[...queues.values()].map((q) => q.close())]);
      // BullMQ leaves connections it was given open.
      await Promise.all([redis, ...eventConnections].map((c) => c.quit().catch(() => undefined)));
    },
  };
}
