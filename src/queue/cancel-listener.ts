/**
 * Listens on the cancel channel and aborts the stage runs of cancelled builds
 * that this process is running.
 */
import { createRedisConnection } from "./queues.js";
import { getCancelChannel, type CancelMessage } from "./cancel-builds.js";

export interface CancelListener {
  /** Aborts `controller` (with the reason) when `build` is cancelled; returns the unregister function. */
  watch(build: string, controller: AbortController): () => void;
  close(): Promise<void>;
}

export async function createCancelListener(redisUrl: string, prefix: string): Promise<CancelListener> {
  const watched = new Map<string, Set<AbortController>>();
  const subscriber = createRedisConnection(redisUrl);
  subscriber.on("message", (_channel: string, text: string) => {
    let message: CancelMessage;
    try {
      message = JSON.parse(text) as CancelMessage;
    } catch {
      return;
    }
    for (const controller of watched.get(message.build) ?? []) controller.abort(new BuildCancelledError(message.reason));
  });
  await subscriber.subscribe(getCancelChannel(prefix));
  return {
    watch(build, controller) {
      let set = watched.get(build);
      if (!set) watched.set(build, (set = new Set()));
      set.add(controller);
      return () => {
        set.delete(controller);
        if (set.size === 0) watched.delete(build);
      };
    },
    async close() {
      await subscriber.quit().catch(() => undefined);
    },
  };
}

/** The abort reason of a cancelled build: its message is the reason users see. */
export class BuildCancelledError extends Error {
  override readonly name = "BuildCancelledError";
}
