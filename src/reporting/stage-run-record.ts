import type { StageIdentity, StageOutcome, StepOutcome } from "../engine/types.js";
import { AnnotationCollector } from "./matchers/annotation-collector.js";

/** What the reporter knows about one stage run: the latest state, which is what GitHub gets. */
export class StageRunRecord {
  readonly stage: StageIdentity;
  readonly annotations: AnnotationCollector;
  status: "queued" | "in_progress" | "completed" = "queued";
  checkRunId: number | undefined;
  startedAt: string | undefined;
  completedAt: string | undefined;
  outcome: StageOutcome | undefined;
  readonly steps: StepOutcome[] = [];
  runningStep: string | undefined;
  /** Bumped on every change; a write is skipped when GitHub already has this version. */
  version = 0;
  sentVersion = -1;
  lastWriteAt = 0;
  progressTimer: NodeJS.Timeout | undefined;
  /** Progress updates sent (or queued) so far. */
  progressUpdates = 0;
  statusPosted = false;
  /** The status GitHub shows after the last write (undefined before the create). */
  shownStatus: "queued" | "in_progress" | "completed" | undefined;
  readonly #tailChars: number;
  #tail = "";

  constructor(stage: StageIdentity, options: { tailChars: number; roots: readonly string[]; maxAnnotations: number }) {
    this.stage = stage;
    this.#tailChars = options.tailChars;
    this.annotations = new AnnotationCollector({ roots: options.roots, max: options.maxAnnotations });
  }

  /** The end of the log, as the check run's text shows it. */
  get tail(): string {
    return this.#tail.length > this.#tailChars ? this.#tail.slice(-this.#tailChars) : this.#tail;
  }

  addText(text: string): void {
    this.#tail += text;
    // Trim only now and then: slicing on every chunk would copy the tail each time.
    if (this.#tail.length > 2 * this.#tailChars) this.#tail = this.#tail.slice(-this.#tailChars);
    this.version++;
  }

  /** A line of Eve's own, on a line of its own. */
  addLine(line: string): void {
    this.addText(`${this.#tail === "" || this.#tail.endsWith("\n") ? "" : "\n"}${line}\n`);
  }
}
