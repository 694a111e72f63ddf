/**
 * Log retention: every hour (and at start-up) the segments of logs past
 * EVE_LOG_RETENTION_DAYS are deleted, their containers kept as tombstones so
 * their pages answer 410. Every stage-running process sweeps; a sweep is
 * idempotent, so two at once only repeat each other's work.
 */
import type { Logger } from "pino";
import type { LogArchive } from "../logs/log-archive.js";

const SWEEP_INTERVAL_MS = 3600_000;

export function startLogSweep(archive: LogArchive, log: Logger): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const pass = () => {
    if (busy) return;
    busy = true;
    running = archive.sweep(new Date()).then(
      (swept) => {
        if (swept.length > 0) log.info({ logs: swept.length }, "Expired stage logs swept");
      },
      (error: unknown) => log.warn({ err: error }, "Sweeping expired stage logs failed"),
    ).finally(() => (busy = false));
  };
  pass();
  const timer = setInterval(pass, SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
