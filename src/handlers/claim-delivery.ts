/**
 * Webhook deliveries are handled once: GitHub redelivers on timeouts and an
 * operator may redeliver by hand. The first handler of a delivery id claims
 * it; a failed handler releases it so that a redelivery can try again.
 */
import type { StageQueues } from "../queue/queues.js";

/** GitHub redelivers within days. */
const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

/** Runs `handle` unless the delivery was handled already; false when it was. */
export async function handleOnce(queues: StageQueues, deliveryId: string, handle: () => Promise<void>): Promise<boolean> {
  const key = `${queues.prefix}:delivery:${deliveryId}`;
  if ((await queues.redis.set(key, "1", "EX", DELIVERY_TTL_SECONDS, "NX")) === null) return false;
  try {
    await handle();
    return true;
  } catch (error) {
    await queues.redis.del(key);
    throw error;
  }
}
