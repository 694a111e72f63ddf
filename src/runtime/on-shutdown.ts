/**
 * SIGTERM/SIGINT: stop taking work, let running stages end, exit 0. A second
 * signal exits at once (BullMQ re-delivers the stages that were cut short).
 */
import type { Logger } from "pino";

export function onShutdown(log: Logger, stop: () => Promise<void>): void {
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
}
