/**
 * Writes that need not go out at once (the build history of the runs, their
 * registry results, the fairness counts), gathered from every stage run of
 * the process for up to `windowMs` and sent in one MULTI: the stages running
 * at once share round trips instead of paying one per event each. MULTIs go
 * out one after the other on one connection, so each writer's writes land in
 * the order it added them.
 */
import type { ChainableCommander, Redis } from "ioredis";

/** What a MULTI's exec resolves with: each command's error or reply, in order. */
export type MultiReplies = [error: Error | null, reply: unknown][];

const addedOnce = new WeakMap<ChainableCommander, Set<string>>();

/**
 * Adds `add`'s commands to the MULTI unless an earlier write in it already
 * added them under `key`: the EXPIRE or version bump of a key that many
 * writes in one MULTI touch (a fan-out's runs, one build's hash).
 */
export function addOnce(multi: ChainableCommander, key: string, add: () => void): void {
  let keys = addedOnce.get(multi);
  if (!keys) addedOnce.set(multi, (keys = new Set()));
  if (keys.has(key)) return;
  keys.add(key);
  add();
}

/** Where the next command added to a MULTI finds its reply in MultiReplies (ioredis counts the MULTI itself in `length`). */
export function nextReplyAt(multi: ChainableCommander): number {
  return multi.length - 1;
}

export class RedisWriteBatch {
  readonly #redis: Redis;
  readonly #windowMs: number;
  #adds: ((multi: ChainableCommander) => void)[] = [];
  #written: Promise<MultiReplies> | undefined;
  #send: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(redis: Redis, windowMs: number) {
    this.#redis = redis;
    this.#windowMs = windowMs;
  }

  /**
   * `add` puts its commands in the next MULTI, when it is built (so it may
   * take the latest of what it writes); resolves with that MULTI's replies
   * once it is written (rejects when it failed).
   */
  add(add: (multi: ChainableCommander) => void): Promise<MultiReplies> {
    this.#adds.push(add);
    if (!this.#written) {
      this.#written = new Promise<MultiReplies>((resolve, reject) => {
        this.#send = () => {
          const multi = this.#redis.multi();
          for (const next of this.#adds.splice(0)) next(multi);
          multi.exec().then((replies) => resolve((replies ?? []) as MultiReplies), reject);
        };
      });
      this.#timer = setTimeout(() => this.flush(), this.#windowMs);
    }
    return this.#written;
  }

  /** Sends what waits now; resolves once it is written (or failed). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    const written = this.#written;
    const send = this.#send;
    this.#timer = undefined;
    this.#written = undefined;
    this.#send = undefined;
    send?.();
    return (written ?? Promise.resolve()).then(
      () => undefined,
      () => undefined,
    );
  }
}
