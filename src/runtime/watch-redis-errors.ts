/**
 * Redis connections report every failed reconnection attempt as an `error`
 * event. Without a listener ioredis prints them raw; with one that throws, the
 * process would die. Eve logs them (at most one line per connection every
 * 10 s) and lets ioredis reconnect by itself; BullMQ's connections use
 * `maxRetriesPerRequest: null`, so their commands wait for the reconnection.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";

const QUIET_MS = 10_000;

export function watchRedisErrors(connections: readonly Pick<Redis, "on">[], log: Logger): void {
  for (const connection of connections) {
    let lastLogged = 0;
    let suppressed = 0;
    connection.on("error", (error: Error) => {
      if (Date.now() - lastLogged < QUIET_MS) {
        suppressed++;
        return;
      }
      log.warn({ err: error, suppressed }, "Redis connection error; reconnecting");
      lastLogged = Date.now();
      suppressed = 0;
    });
    connection.on("ready", () => {
      if (lastLogged > 0) log.info("Redis connection ready again");
      lastLogged = 0;
    });
  }
}
