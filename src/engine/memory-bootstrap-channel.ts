/** The bootstrap channel of `eve run`: every stage of the build runs in this process. */
import type { BootstrapChannel } from "./types.js";

export class MemoryBootstrapChannel implements BootstrapChannel {
  readonly #writes: [string, unknown][] = [];

  async write(name: string, value: unknown): Promise<void> {
    this.#writes.push([name, structuredClone(value)]);
  }

  async readFrom(from: number): Promise<[string, unknown][]> {
    return this.#writes.slice(from);
  }
}
