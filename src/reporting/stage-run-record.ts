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
  /** Holds the in_progress update of a run GitHub shows queued (CheckRunReporterOptions.startHoldMs). */
  startTimer: NodeJS.Timeout | undefined;
  /** Progress updates sent (or queued) so far. */
  progressUpdates = 0;
  statusPosted = false;
  /** Settles once a reader of the run's log sees it whole (set at the stage's end): its final writes wait for it. */
  logWhole: Promise<unknown> | undefined;
  /** The status GitHub shows after the last write (undefined before the create). */
  shownStatus: "queued" | "in_progress" | "completed" | undefined;
  readonly #tailChars: number;
  /** The end of the output in the chunks it came in (at least tailChars of it, at most one chunk more): joined only when read. */
  readonly #tailChunks: string[] = [];
  #tailLength = 0;

  constructor(stage: StageIdentity, options: { tailChars: number; roots: readonly string[]; maxAnnotations: number }) {
    this.stage = stage;
    this.#tailChars = options.tailChars;
    this.annotations = new AnnotationCollector({ roots: options.roots, max: options.maxAnnotations });
  }

  /** The end of the log, as the check run's text shows it. */
  get tail(): string {
    const tail = this.#tailChunks.join("");
    return tail.length > this.#tailChars ? tail.slice(-this.#tailChars) : tail;
  }

  addText(text: string): void {
    this.#tailChunks.push(text);
    this.#tailLength += text.length;
    // Chunks no longer needed for the last tailChars go; none is copied on the way.
    for (let first = this.#tailChunks[0]; first !== undefined && this.#tailLength - first.length >= this.#tailChars; first = this.#tailChunks[0]) {
      this.#tailChunks.shift();
      this.#tailLength -= first.length;
    }
    this.version++;
  }

  /** A line of Eve's own, on a line of its own. */
  addLine(line: string): void {
    const last = this.#tailChunks.findLast((chunk) => chunk !== "");
    this.addText(`${last === undefined || last.endsWith("\n") ? "" : "\n"}${line}\n`);
  }
}
