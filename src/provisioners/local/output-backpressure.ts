import type { OutputStream } from "../types.js";

/** What a step's output stream must do to be held back: a socket or a pipe. */
interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/**
 * Delivers a step's output chunk by chunk, with backpressure: while a
 * delivery is pending (the consumer returned a promise) every stream of the
 * step is paused, and all resume once none is. Shared by the two ways a step
 * starts (spawn-helper.ts, spawn-directly.ts).
 */
export class OutputBackpressure<S extends Pausable> {
  readonly #output: (data: Buffer, stream: OutputStream) => void | Promise<void>;
  readonly #streams = new Set<S>();
  #pending = 0;

  constructor(output: (data: Buffer, stream: OutputStream) => void | Promise<void>) {
    this.#output = output;
  }

  /** The step's streams. */
  get streams(): ReadonlySet<S> {
    return this.#streams;
  }

  /** True while a delivery is pending: the streams are paused. */
  get holding(): boolean {
    return this.#pending > 0;
  }

  /** A stream of the step; paused at once while a delivery is pending. */
  add(stream: S): void {
    this.#streams.add(stream);
    if (this.#pending > 0) stream.pause();
  }

  /** False when `stream` was not one of the step's. */
  delete(stream: S): boolean {
    return this.#streams.delete(stream);
  }

  clear(): void {
    this.#streams.clear();
  }

  deliver(data: Buffer, stream: OutputStream): void {
    const pending = this.#output(data, stream);
    if (!pending) return;
    if (this.#pending++ === 0) for (const each of this.#streams) each.pause();
    const release = () => {
      if (--this.#pending === 0) for (const each of this.#streams) each.resume();
    };
    pending.then(release, release);
  }
}
