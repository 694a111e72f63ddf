/**
 * Listens on the cancel channel and aborts the stage runs of cancelled builds
 * that this process is running; answers whether a build was cancelled.
 *
 * That answer costs one GET per build, not per stage run: a build found not
 * cancelled while the channel was subscribed is remembered, since any later
 * cancel is published after its marker is set, so it reaches this process
 * (and forgets the build). Anything that may have missed a message (the
 * subscriber's connection closed, a message arrived while a GET was on its
 * way) forgets what was remembered; cancelled builds are always read again,
 * so that a re-run that lifts the marker is seen.
 */
import type { Redis } from "ioredis";
import { getCancelChannel, getCancelReason, type CancelMessage } from "./cancel-builds.js";
import { createRedisConnection, type StageQueues } from "./queues.js";

/** Builds remembered as not cancelled (the oldest forgotten first). */
const CLEAN_BUILDS_KEPT = 10_000;

export interface CancelListener {
  /** Aborts `controller` (with the reason) when `build` is cancelled; returns the unregister function. */
  watch(build: string, controller: AbortController): () => void;
  /** Why the build was cancelled, or undefined when it was not. */
  getCancelReason(build: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function createCancelListener(queues: StageQueues): Promise<CancelListener> {
  const watched = new Map<string, Set<AbortController>>();
  const clean = new Set<string>();
  // Moves on every message and every loss of the subscription: a GET answered across a move is not remembered.
  let epoch = 0;
  let subscribed = false;
  const subscriber: Redis = createRedisConnection(queues.redisUrl);
  const channel = getCancelChannel(queues.prefix);
  const forget = () => {
    epoch++;
    clean.clear();
  };
  subscriber.on("message", (_channel: string, text: string) => {
    epoch++;
    let message: CancelMessage;
    try {
      message = JSON.parse(text) as CancelMessage;
    } catch {
      return;
    }
    clean.delete(message.build);
    for (const controller of watched.get(message.build) ?? []) controller.abort(new BuildCancelledError(message.reason));
  });
  subscriber.on("close", () => {
    subscribed = false;
    forget();
  });
  // ioredis subscribes again on reconnection; this one says when it is done.
  subscriber.on("ready", () => {
    if (subscribed) return;
    subscriber.subscribe(channel).then(
      () => {
        subscribed = true;
      },
      () => undefined,
    );
  });
  await subscriber.subscribe(channel);
  subscribed = true;
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
    async getCancelReason(build) {
      if (subscribed && clean.has(build)) return undefined;
      const before = epoch;
      const wasSubscribed = subscribed;
      const reason = await getCancelReason(queues, build);
      if (reason === undefined && wasSubscribed && subscribed && epoch === before) {
        clean.add(build);
        // Sets iterate in insertion order: drop the oldest.
        for (const old of clean) {
          if (clean.size <= CLEAN_BUILDS_KEPT) break;
          clean.delete(old);
        }
      }
      return reason;
    },
    async close() {
      subscribed = false;
      await subscriber.quit().catch(() => undefined);
    },
  };
}

/** The abort reason of a cancelled build: its message is the reason users see. */
export class BuildCancelledError extends Error {
  override readonly name = "BuildCancelledError";
}
