/**
 * The count of stages triggered in one build, shared by every worker process:
 * a Redis set of their run ids per build attempt, so the limit holds however
 * many processes run the build's stages. Adding is all-or-nothing and
 * idempotent: a parent job retried after a crash re-adds the same run ids
 * (they are deterministic) and is not counted twice.
 */
import type { StageQueues } from "./queues.js";

/** As long as the build registry keeps a build. */
const TTL_SECONDS = 7 * 24 * 3600;

/**
 * KEYS[1] the set; ARGV[1] the limit, ARGV[2] the TTL, ARGV[3..] run ids.
 * Returns the count after, or when refused -(count before) - 1.
 */
const CLAIM_SCRIPT = `
local fresh = 0
for i = 3, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then fresh = fresh + 1 end
end
local count = redis.call('SCARD', KEYS[1])
if count + fresh > tonumber(ARGV[1]) then return -count - 1 end
for i = 3, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return count + fresh
`;

export type ClaimResult = { claimed: true } | { claimed: false; started: number };

/** Counts `runs` as triggered in the build attempt unless that would make more than `limit`. */
export async function claimTriggeredStages(queues: StageQueues, build: string, attempt: number, runs: readonly string[], limit: number): Promise<ClaimResult> {
  const key = `${queues.prefix}:triggered:${build}:${attempt}`;
  const reply = Number(await queues.redis.eval(CLAIM_SCRIPT, 1, key, limit, TTL_SECONDS, ...runs));
  return reply >= 0 ? { claimed: true } : { claimed: false, started: -reply - 1 };
}
