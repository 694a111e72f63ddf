/** Runs the store's garbage collection now and then every interval, until stopped. */
import type { ArtifactStore, GcReport } from "./artifact-store.js";

export interface ArtifactGcLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ArtifactGcOptions {
  intervalMs: number;
  log: ArtifactGcLogger;
  /** The clock (tests pass their own). */
  now?: () => Date;
}

export interface ArtifactGcRunner {
  /** Resolves with the first pass's report (or undefined if it failed). */
  readonly firstPass: Promise<GcReport | undefined>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function startArtifactGc(store: ArtifactStore, options: ArtifactGcOptions): ArtifactGcRunner {
  const now = options.now ?? (() => new Date());
  let running: Promise<GcReport | undefined> = Promise.resolve(undefined);
  let stopped = false;

  const pass = (): Promise<GcReport | undefined> => {
    running = store.gc(now()).then(
      (report) => {
        if (report.containersDeleted.length > 0 || report.objectsDeleted > 0) {
          options.log.info({ containers: report.containersDeleted.length, objects: report.objectsDeleted }, "Artifact store garbage collected");
        }
        return report;
      },
      (error: unknown) => {
        options.log.warn({ err: error, store: store.kind }, "Artifact store garbage collection failed");
        return undefined;
      },
    );
    return running;
  };

  let busy = true;
  const firstPass = pass().finally(() => (busy = false));
  const timer = setInterval(() => {
    // A pass slower than the interval is skipped, not queued.
    if (busy || stopped) return;
    busy = true;
    void pass().finally(() => (busy = false));
  }, options.intervalMs);
  timer.unref();

  return {
    firstPass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
