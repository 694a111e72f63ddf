/**
 * A cloud that failed to give a server is left alone for a while, as Eve's
 * latent workers were quarantined: 5 minutes, doubling on each failure in a
 * row, up to 1 hour; a server that comes up ends it. During a quarantine a
 * stage fails at once (`exception`, saying until when) instead of adding load
 * to a cloud that is already failing.
 */
export class CloudQuarantine {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #nextMs: number;
  #until = 0;

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = Math.max(initialMs, maxMs);
    this.#nextMs = initialMs;
  }

  /** When the quarantine ends, or undefined when there is none now. */
  activeUntil(now = Date.now()): Date | undefined {
    return this.#until > now ? new Date(this.#until) : undefined;
  }

  failed(now = Date.now()): void {
    this.#until = now + this.#nextMs;
    this.#nextMs = Math.min(this.#nextMs * 2, this.#maxMs);
  }

  succeeded(): void {
    this.#until = 0;
    this.#nextMs = this.#initialMs;
  }
}
