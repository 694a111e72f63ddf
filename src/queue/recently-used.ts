/**
 * A map of at most `limit` entries that forgets the least recently used
 * first: a process's memory of build files, which never change once made.
 */
export class RecentlyUsed<K, V> {
  readonly #limit: number;
  /** Map order is the order of use: the first entry is the oldest. */
  readonly #entries = new Map<K, V>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) this.#use(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.#use(key, value);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#limit) break;
      this.#entries.delete(oldest);
    }
  }

  #use(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
  }
}
