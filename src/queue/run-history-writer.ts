/**
 * One run's writes to the build history (and its result to the registry),
 * batched: what a run reports within BATCH_MS (its start, its steps' starts
 * and ends) goes out in one MULTI, the last value of each field winning, and
 * its end goes out at once. One batch at a time, so they land in order. A
 * one-step stage costs one or two round trips instead of four or five; the
 * build page, which polls every second, sees no difference.
 */
import type { BuildResult } from "../engine/results.js";
import type { StageIdentity } from "../engine/types.js";
import type { BuildHistory } from "./build-history.js";
import { addStageResult, recordStageResult } from "./build-registry.js";
import type { StageQueues } from "./queues.js";

/** How long a run's history fields wait for more to go out with them. */
export const HISTORY_BATCH_MS = 100;

export class RunHistoryWriter {
  readonly #queues: StageQueues;
  readonly #history: BuildHistory | undefined;
  readonly #stage: StageIdentity;
  readonly #onError: (error: unknown) => void;
  #fields: Record<string, string> = {};
  #result: BuildResult | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** A batch is chained and has not yet taken the fields: later ones join it. */
  #batchWaiting = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(queues: StageQueues, history: BuildHistory | undefined, stage: StageIdentity, onError: (error: unknown) => void) {
    this.#queues = queues;
    this.#history = history;
    this.#stage = stage;
    this.#onError = onError;
  }

  /** History fields (`runFields`) to write within BATCH_MS. */
  set(fields: Record<string, string>): void {
    if (!this.#history) return;
    Object.assign(this.#fields, fields);
    this.#timer ??= setTimeout(() => void this.flush(), HISTORY_BATCH_MS);
  }

  /** The run's end: its history fields and its result in the registry, written now with what waits. */
  end(fields: Record<string, string>, result: BuildResult): Promise<void> {
    if (this.#history) Object.assign(this.#fields, fields);
    this.#result = result;
    return this.flush();
  }

  /** Writes what waits; resolves once every batch so far is written (or failed: told to onError). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#batchWaiting && (Object.keys(this.#fields).length > 0 || this.#result !== undefined)) {
      this.#batchWaiting = true;
      this.#chain = this.#chain.then(() => this.#write()).catch(this.#onError);
    }
    return this.#chain;
  }

  async #write(): Promise<void> {
    this.#batchWaiting = false;
    const fields = this.#fields;
    const result = this.#result;
    this.#fields = {};
    this.#result = undefined;
    if (!this.#history || Object.keys(fields).length === 0) {
      if (result !== undefined) await recordStageResult(this.#queues, this.#stage, result);
      return;
    }
    await this.#history.write(this.#stage.build, fields, result === undefined ? undefined : (multi) => addStageResult(multi, this.#queues, this.#stage, result));
  }
}
