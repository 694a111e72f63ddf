/**
 * Waits for the outcomes of a parent's triggered stages. Watching starts
 * before the children are added, so no completion is missed: BullMQ's
 * `completed` event carries the job's return value (the outcome), and a
 * `failed` event its reason, so an ending child costs no Redis read at all.
 * The job states stay the source of truth: a sweep reads them for children
 * that may have ended before (a run re-added after a crash) and then every
 * few seconds for those still pending (a missed event costs one interval),
 * all children in one pipeline: whether each is in its queue's completed or
 * failed set, or gone; only those that ended are read whole.
 */
import type { QueueEvents } from "bullmq";
import type { WorkerType } from "../buildfile/types.js";
import type { StageOutcome } from "../engine/types.js";
import type { StageJobData, StageJobResult } from "./job-data.js";
import type { StageQueues } from "./queues.js";

/** How often the states of children still pending are read (events wake the parent before). */
const SWEEP_MS = 5_000;

export interface ChildWatch {
  /**
   * The children's outcomes, in order. `recheck`: children whose job existed
   * before watching began (their end may have passed unseen); read at once.
   */
  outcomes(signal: AbortSignal, recheck: readonly StageJobData[]): Promise<StageOutcome[]>;
  /** Stops listening (outcomes() does it when it returns). */
  stop(): void;
}

interface Pending {
  child: StageJobData;
  resolve(outcome: StageOutcome): void;
}

export async function watchChildren(queues: StageQueues, children: readonly StageJobData[]): Promise<ChildWatch> {
  const started = Date.now();
  const pending = new Map<string, Pending>();
  const results = children.map((child) => new Promise<StageOutcome>((resolve) => pending.set(child.stage.run, { child, resolve })));
  const settle = (runId: string, outcomeOf: (child: StageJobData) => StageOutcome) => {
    const entry = pending.get(runId);
    if (!entry) return;
    pending.delete(runId);
    entry.resolve(outcomeOf(entry.child));
  };
  const fallback = (result: StageOutcome["result"], summary: string) => (child: StageJobData): StageOutcome => ({
    name: child.stage.stage,
    result,
    durationMs: Date.now() - started,
    steps: [],
    summary,
    properties: child.properties,
  });
  const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) =>
    settle(jobId, (child) => (returnvalue as StageJobResult | null)?.outcome ?? fallback("exception", "exception: the stage's worker returned no outcome")(child));
  const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }) => settle(jobId, fallback("exception", `exception: ${failedReason}`));

  const types = [...new Set(children.map((child) => child.workerType))];
  const events = new Map<WorkerType, QueueEvents>(await Promise.all(types.map(async (type) => [type, await queues.events(type)] as const)));
  for (const queueEvents of events.values()) {
    queueEvents.on("completed", onCompleted);
    queueEvents.on("failed", onFailed);
  }
  const stop = () => {
    for (const queueEvents of events.values()) {
      queueEvents.off("completed", onCompleted);
      queueEvents.off("failed", onFailed);
    }
  };

  /** Reads the states of `runs`; settles those that ended (or were removed: cancelled before they started). */
  const sweep = async (runs: readonly StageJobData[]) => {
    if (runs.length === 0) return;
    const states = queues.redis.pipeline();
    for (const child of runs) {
      const queue = queues.queue(child.workerType);
      states.zscore(queue.toKey("completed"), child.stage.run).zscore(queue.toKey("failed"), child.stage.run).exists(queue.toKey(child.stage.run));
    }
    const replies = (await states.exec()) ?? [];
    await Promise.all(
      runs.map(async (child, index) => {
        const [completed, failed, exists] = replies.slice(3 * index, 3 * index + 3).map(([error, reply]) => {
          if (error) throw error;
          return reply;
        });
        const runId = child.stage.run;
        if (exists === 0) return settle(runId, fallback("cancelled", "cancelled before it started"));
        if (completed === null && failed === null) return;
        // In the completed or failed set: the job holds its return value or failure by then.
        const job = await queues.queue(child.workerType).getJob(runId);
        const result = job?.returnvalue as StageJobResult | null | undefined;
        if (completed !== null && result) return settle(runId, () => result.outcome);
        return settle(runId, fallback("exception", `exception: ${job?.failedReason ?? "the stage's worker failed"}`));
      }),
    );
  };

  return {
    stop,
    async outcomes(signal, recheck) {
      const all = Promise.all(results);
      let wake: () => void = () => undefined;
      const nap = () =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, SWEEP_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      const onAbort = () => wake();
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        await sweep(recheck.filter((child) => pending.has(child.stage.run)));
        while (pending.size > 0 && !signal.aborted) {
          await Promise.race([all, nap()]);
          wake();
          if (pending.size > 0 && !signal.aborted) await sweep([...pending.values()].map((entry) => entry.child));
        }
        for (const runId of [...pending.keys()]) settle(runId, fallback("cancelled", abortReason(signal)));
        return await all;
      } finally {
        signal.removeEventListener("abort", onAbort);
        stop();
      }
    },
  };
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? `cancelled: ${reason.message}` : "cancelled";
}
