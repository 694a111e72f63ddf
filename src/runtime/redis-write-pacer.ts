/**
 * GitHub's pace for one installation's writes, shared by every Eve process
 * through Redis: npm start's app process and stage process, and every `eve
 * worker`, write for the same installations, and GitHub's budget (≈ 80
 * content writes a minute, ≥ 1 s apart) is the installation's, not each
 * process's. A write reserves the next slot in one round trip; Redis' own
 * clock decides, so the processes' clocks need not agree.
 */
import type { Redis } from "ioredis";
import type { WritePacer } from "../reporting/github-write-queue.js";

/** KEYS[1] the installation's next free slot (ms, Redis time); ARGV: interval ms, hold-back ms. Returns the wait in ms. */
const RESERVE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now + tonumber(ARGV[2]), free)
redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', at + tonumber(ARGV[1]) - now + 60000)
return at - now
`;

/** KEYS[1] as above; ARGV[1] hold-back ms: no write of the installation before then. */
const HOLD_BACK = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local until_ = now + tonumber(ARGV[1])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > free then redis.call('SET', KEYS[1], until_, 'PX', tonumber(ARGV[1]) + 60000) end
return 0
`;

export function createRedisWritePacer(redis: Redis, prefix: string): WritePacer {
  const key = (installation: string) => `${prefix}:github-pace:${installation}`;
  return {
    async reserve(installation, intervalMs) {
      return Number(await redis.eval(RESERVE, 1, key(installation), intervalMs, 0));
    },
    async holdBack(installation, ms) {
      await redis.eval(HOLD_BACK, 1, key(installation), Math.ceil(ms));
    },
  };
}
