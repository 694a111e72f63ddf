/**
 * Readers' permissions on repositories, remembered a few minutes: a page view
 * (and the live log's reconnections) must not cost a GitHub request each, and
 * a reader who loses access loses it within that time.
 */

export class PermissionCache {
  readonly #entries = new Map<string, { allowed: boolean; until: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /** The remembered answer for `user` on `repository`, or undefined when none is fresh. */
  get(user: string, repository: string, now: number): boolean | undefined {
    const entry = this.#entries.get(keyOf(user, repository));
    return entry && entry.until > now ? entry.allowed : undefined;
  }

  set(user: string, repository: string, allowed: boolean, now: number): void {
    const key = keyOf(user, repository);
    this.#entries.delete(key);
    // Oldest first: a Map keeps insertion order.
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { allowed, until: now + this.#ttlMs });
  }
}

/** GitHub logins and repository names are case-insensitive. */
function keyOf(user: string, repository: string): string {
  return `${user.toLowerCase()}\n${repository.toLowerCase()}`;
}
