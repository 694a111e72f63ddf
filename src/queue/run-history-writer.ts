/**
 * One run's writes to the build history (and its result to the registry),
 * in the process's batch of writes (queues.batch): what the run reports
 * while one waits (its start, its steps' starts and ends, its end) goes in
 * it, the last value of each field winning, beside the other runs' writes.
 * A one-step stage costs a share of one round trip instead of four or five;
 * the build page, which polls every second, sees no difference.
 */
import type { BuildResult } from "../engine/results.js";
import type { StageIdentity } from "../engine/types.js";
import type { BuildHistory } from "./build-history.js";
import { addStageResult } from "./build-registry.js";
import type { StageQueues } from "./queues.js";

export class RunHistoryWriter {
  readonly #queues: StageQueues;
  readonly #history: BuildHistory | undefined;
  readonly #stage: StageIdentity;
  readonly #onError: (error: unknown) => void;
  #fields: Record<string, string> = {};
  #result: BuildResult | undefined;
  /** A batch will take what waits here when it is built: later writes join it. */
  #waiting = false;
  #written: Promise<void> = Promise.resolve();

  constructor(queues: StageQueues, history: BuildHistory | undefined, stage: StageIdentity, onError: (error: unknown) => void) {
    this.#queues = queues;
    this.#history = history;
    this.#stage = stage;
    this.#onError = onError;
  }

  /** History fields (`runFields`) to write with the process's next batch. */
  set(fields: Record<string, string>): void {
    if (!this.#history) return;
    Object.assign(this.#fields, fields);
    this.#enqueue();
  }

  /** The run's end: its history fields and its result in the registry; resolves once written. */
  end(fields: Record<string, string>, result: BuildResult): Promise<void> {
    if (this.#history) Object.assign(this.#fields, fields);
    this.#result = result;
    return this.#enqueue();
  }

  /** Resolves once everything so far is written (or failed: told to onError). */
  flush(): Promise<void> {
    return this.#written;
  }

  #enqueue(): Promise<void> {
    if (this.#waiting) return this.#written;
    this.#waiting = true;
    this.#written = this.#queues.batch.add((multi) => {
      this.#waiting = false;
      const fields = this.#fields;
      const result = this.#result;
      this.#fields = {};
      this.#result = undefined;
      if (this.#history && Object.keys(fields).length > 0) this.#history.addWrite(multi, this.#stage.build, fields);
      if (result !== undefined) addStageResult(multi, this.#queues, this.#stage, result);
    }).then(() => undefined, this.#onError);
    return this.#written;
  }
}
