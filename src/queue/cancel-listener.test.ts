import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { cancelBuild, clearCancelReason } from "./cancel-builds.js";
import { createCancelListener, type CancelListener } from "./cancel-listener.js";
import { createStageQueues, type StageQueues } from "./queues.js";

const redisUrl = process.env.REDIS_URL as string;
let queues: StageQueues;
let listener: CancelListener;

afterEach(async () => {
  await listener.close();
  const keys = await queues.redis.keys(`${queues.prefix}:*`);
  if (keys.length > 0) await queues.redis.del(...keys);
  await queues.close();
});

async function setUp(): Promise<void> {
  queues = createStageQueues(redisUrl, `test-${randomUUID()}`);
  listener = await createCancelListener(queues);
}

describe("cancel listener", () => {
  it("reads a build's marker once: a build found not cancelled is answered from memory", async () => {
    await setUp();
    expect(await listener.getCancelReason("b1")).toBeUndefined();

    // A marker without its message (cancelBuild always publishes one): not read again.
    await queues.redis.set(`${queues.prefix}:cancelled:b1`, "unseen");

    expect(await listener.getCancelReason("b1")).toBeUndefined();
    expect(await listener.getCancelReason("b2")).toBeUndefined();
  });

  it("sees a cancel of a build it remembered as not cancelled, and aborts its watchers", async () => {
    await setUp();
    const controller = new AbortController();
    listener.watch("b1", controller);
    expect(await listener.getCancelReason("b1")).toBeUndefined();

    await cancelBuild(queues, "b1", "superseded by 1a2b3c4 on main");

    await expect.poll(() => controller.signal.aborted).toBe(true);
    expect(await listener.getCancelReason("b1")).toBe("superseded by 1a2b3c4 on main");
  });

  it("sees a re-run lift a build's cancellation", async () => {
    await setUp();
    await cancelBuild(queues, "b1", "cancelled by a user");
    expect(await listener.getCancelReason("b1")).toBe("cancelled by a user");

    await clearCancelReason(queues, "b1");

    expect(await listener.getCancelReason("b1")).toBeUndefined();
  });
});
