/**
 * Redis connections report every failed reconnection attempt as an `error`
 * event: without a listener ioredis and BullMQ print them raw. Eve logs them
 * (at most one line per source every 10 s, with the count it kept quiet) and
 * lets ioredis reconnect by itself; BullMQ's connections use
 * `maxRetriesPerRequest: null`, so their commands wait for the reconnection.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";

const QUIET_MS = 10_000;

export interface RedisErrorWatch {
  /** A listener for one source's `error` events (queues, workers, …). */
  onError(source: string): (error: Error) => void;
  /** Also logs when the connection is ready again. */
  watch(source: string, connection: Pick<Redis, "on">): void;
}

export function watchRedisErrors(log: Logger): RedisErrorWatch {
  const sources = new Map<string, { lastLogged: number; suppressed: number }>();
  const onError = (source: string) => (error: Error) => {
    let state = sources.get(source);
    if (!state) sources.set(source, (state = { lastLogged: 0, suppressed: 0 }));
    if (Date.now() - state.lastLogged < QUIET_MS) {
      state.suppressed++;
      return;
    }
    log.warn({ err: error, source, suppressed: state.suppressed }, "Redis or queue error; Eve reconnects and retries by itself");
    state.lastLogged = Date.now();
    state.suppressed = 0;
  };
  return {
    onError,
    watch(source, connection) {
      connection.on("error", onError(source));
      connection.on("ready", () => {
        const state = sources.get(source);
        if (state && state.lastLogged > 0) log.info({ source }, "Redis connection ready again");
        sources.delete(source);
      });
    },
  };
}
