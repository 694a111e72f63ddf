/**
 * SIGTERM/SIGINT: stop taking work, let running stages end, exit 0. A second
 * signal exits at once (BullMQ re-delivers the stages that were cut short).
 * Installed before start-up begins: a signal during start-up (docker stop
 * right after docker start) must stop Eve cleanly too, not kill it by
 * default (npm then re-raised the signal on itself and exited 143).
 */
import type { Logger } from "pino";

export interface Shutdown {
  /** True once a signal asked Eve to stop: start-up must not begin taking stages then. */
  readonly requested: boolean;
}

export function onShutdown(log: Logger, stop: () => Promise<void>): Shutdown {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "Second signal: exiting without waiting for running stages");
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: no new stages; waiting for running ones to end`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "Shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "Unhandled rejection"));
  return {
    get requested() {
      return stopping;
    },
  };
}
