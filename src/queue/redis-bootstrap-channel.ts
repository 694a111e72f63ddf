/**
 * The bootstrap channel of the app: stages of one build run in any worker
 * process, so SetBootstrapProperty writes go to a Redis list of the build,
 * which its top stage reads from where it left off before each step.
 */
import { getStepType } from "../buildfile/step-catalog.js";
import type { BuildFile } from "../buildfile/types.js";
import type { BootstrapChannel } from "../engine/types.js";
import type { StageQueues } from "./queues.js";

/** As long as the build's file is kept (build-file-store.ts). */
const TTL_SECONDS = 7 * 24 * 3600;
/** Writes kept per build: a property is a value, and a loop of writes must not fill Redis. */
const MAX_WRITES = 10_000;

/** Whether a build file has a step that writes bootstrap properties, by its object (one per text a process validated). */
const writesOf = new WeakMap<BuildFile, boolean>();

/**
 * The build's channel, or none when no stage of its file can write to it:
 * every stage of a build runs that one file, so its top stage would read an
 * empty list from Redis before each step (a round trip per step for nothing).
 */
export function getBootstrapChannel(queues: StageQueues, build: string, buildFile: BuildFile): BootstrapChannel | undefined {
  let writes = writesOf.get(buildFile);
  if (writes === undefined) {
    writes = [...buildFile.stages.values()].some((stage) => stage.steps.some((step) => getStepType(step.type)?.writesBootstrap === true));
    writesOf.set(buildFile, writes);
  }
  return writes ? new RedisBootstrapChannel(queues, build) : undefined;
}

class RedisBootstrapChannel implements BootstrapChannel {
  readonly #queues: StageQueues;
  readonly #key: string;

  constructor(queues: StageQueues, build: string) {
    this.#queues = queues;
    this.#key = `${queues.prefix}:build:${build}:bootstrap-properties`;
  }

  async write(name: string, value: unknown): Promise<void> {
    const length = await this.#queues.redis.llen(this.#key);
    if (length >= MAX_WRITES) throw new Error(`this build wrote ${MAX_WRITES} bootstrap properties already`);
    await this.#queues.redis.multi().rpush(this.#key, JSON.stringify([name, value])).expire(this.#key, TTL_SECONDS).exec();
  }

  async readFrom(from: number): Promise<[string, unknown][]> {
    const entries = await this.#queues.redis.lrange(this.#key, from, -1);
    return entries.map((entry) => JSON.parse(entry) as [string, unknown]);
  }
}
