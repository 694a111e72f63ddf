/**
 * The test Redis (REDIS_URL, started by global-setup.ts) for one test file: a
 * client connected before its tests, and a key prefix of its own whose keys
 * are deleted after them, so files running at once never see each other's.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";

export interface PrefixedRedis {
  /** The client: use it inside tests and hooks (it is connected in beforeAll). */
  readonly redis: Redis;
  readonly prefix: string;
}

export function usePrefixedRedis(): PrefixedRedis {
  let client: Redis | undefined;
  const prefix = `test-${randomUUID()}:`;
  beforeAll(() => {
    client = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    if (client === undefined) return;
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });
  return {
    prefix,
    get redis(): Redis {
      if (client === undefined) throw new Error("usePrefixedRedis: the client connects in beforeAll");
      return client;
    },
  };
}
