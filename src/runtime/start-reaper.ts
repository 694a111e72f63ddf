/**
 * The reaper inside every process that runs stages: at start-up and every
 * EVE_REAP_INTERVAL it removes the containers, builder directories and
 * checkouts of stage runs that are over. A resource is dead when its owning
 * process (on this host) is gone, or when its run is no longer active in
 * BullMQ (finished, failed, or waiting again because its worker was lost).
 */
import type { Logger } from "pino";
import { WORKER_TYPES } from "../provisioners/worker-types.js";
import type { EveMetrics } from "../ops/eve-metrics.js";
import { isOwnerGone } from "../provisioners/labels.js";
import { reapOrphans, type OrphanSweeper, type ReapedResource } from "../provisioners/reaper.js";
import type { StageQueues } from "../queue/queues.js";

export interface ReaperOptions {
  instance: string;
  sweepers: OrphanSweeper[];
  queues: StageQueues;
  intervalSec: number;
  log: Logger;
  metrics: EveMetrics;
}

export interface RunningReaper {
  /** Sweeps now; resolves with what was removed. */
  sweep(): Promise<ReapedResource[]>;
  /** Removes every resource of one run (a lost attempt's, before the run starts again). */
  reapRun(run: string): Promise<number>;
  close(): Promise<void>;
}

export function startReaper(options: ReaperOptions): RunningReaper {
  const { queues, log, metrics } = options;
  // reapOrphans' judge asks isRunActive only; the owner rule catches this host's dead processes sooner.
  const sweepers: OrphanSweeper[] = options.sweepers.map((sweeper) => ({
    sweep: (instance, isDead) => sweeper.sweep(instance, async (parsed) => isOwnerGone(parsed.owner) || (await isDead(parsed))),
  }));
  const isRunActive = async (run: string): Promise<boolean> => {
    const states = await Promise.all(WORKER_TYPES.map((type) => queues.queue(type).getJobState(run)));
    return states.includes("active");
  };
  const record = (reaped: ReapedResource[]) => {
    for (const resource of reaped) {
      if (resource.error === undefined) metrics.reapedResources.inc({ kind: resource.kind });
      const fields = { kind: resource.kind, name: resource.name, ...resource.labels };
      if (resource.error === undefined) log.info(fields, "Reaped a resource of a dead stage run");
      else log.warn({ ...fields, error: resource.error }, "Could not reap a resource of a dead stage run");
    }
    return reaped;
  };
  let running: Promise<ReapedResource[]> | undefined;
  const sweep = () => {
    running ??= reapOrphans({ instance: options.instance, sweepers, isRunActive })
      .then(record)
      .then((reaped) => {
        // The operator page shows the last sweep: when, and what it removed (zero kinds included).
        metrics.reaperLastSweep.set(Date.now() / 1000);
        metrics.reaperLastRemoved.reset();
        metrics.reaperLastRemoved.set({ kind: "all" }, reaped.filter((resource) => resource.error === undefined).length);
        for (const resource of reaped) if (resource.error === undefined) metrics.reaperLastRemoved.inc({ kind: resource.kind });
        return reaped;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const background = () =>
    void sweep().catch((error: unknown) => log.warn({ err: error }, "Reaper sweep failed"));
  background();
  const timer = options.intervalSec > 0 ? setInterval(background, options.intervalSec * 1000) : undefined;
  timer?.unref();
  return {
    sweep,
    async reapRun(run) {
      const results = await Promise.all(sweepers.map((sweeper) => sweeper.sweep(options.instance, async (parsed) => parsed.labels.run === run)));
      return record(results.flat()).filter((resource) => resource.kind !== "image" && resource.error === undefined).length;
    },
    async close() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
