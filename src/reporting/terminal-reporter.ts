/**
 * The StageObserver of `eve run`: streams every stage's log to the terminal
 * as it is produced, each line prefixed by `[stage/step]`, with a header per
 * step, then a table of stages and steps. Writes are batched and respect the
 * stream's backpressure, so the terminal is never the bottleneck of a build;
 * partial lines are held per stage so parallel stages never mix inside a line.
 */
import type { Writable } from "node:stream";
import type { StageIdentity, StageObserver, StageOutcome, StepOutcome } from "../engine/types.js";

/** Flush when this much is buffered. */
const BATCH_BYTES = 64 * 1024;
/** A line longer than this is written out unfinished, so memory stays bounded. */
const MAX_PARTIAL = 64 * 1024;

interface StageState {
  prefix: string;
  partial: string;
}

export class TerminalReporter implements StageObserver {
  private readonly out: Writable;
  private readonly states = new Map<string, StageState>();
  private readonly order: string[] = [];
  private readonly outcomes = new Map<string, StageOutcome>();
  private buffer: string[] = [];
  private buffered = 0;
  private scheduled = false;
  private draining: Promise<void> | undefined;

  constructor(out: Writable = process.stdout) {
    this.out = out;
  }

  stageStarted(stage: StageIdentity): void {
    this.order.push(stage.run);
    this.states.set(stage.run, { prefix: `[${stage.stage}] `, partial: "" });
    this.push(`[${stage.stage}] ━━ stage ${stage.stage} started\n`);
  }

  stepStarted(stage: StageIdentity, index: number, name: string): void {
    const state = this.state(stage);
    this.endPartial(state);
    state.prefix = `[${stage.stage}/${name}] `;
    this.push(`[${stage.stage}] ── step ${index + 1}: ${name}\n`);
  }

  output(stage: StageIdentity, text: string): void | Promise<void> {
    const state = this.state(stage);
    const all = state.partial + text;
    const end = all.lastIndexOf("\n");
    if (end < 0) {
      state.partial = all;
      if (all.length > MAX_PARTIAL) this.endPartial(state);
      return this.pending();
    }
    state.partial = all.slice(end + 1);
    const lines = all.slice(0, end);
    this.push(`${state.prefix}${lines.includes("\n") ? lines.replaceAll("\n", `\n${state.prefix}`) : lines}\n`);
    return this.pending();
  }

  info(stage: StageIdentity, line: string): void {
    const state = this.state(stage);
    this.endPartial(state);
    const text = line.replace(/\n+$/, "");
    this.push(`${state.prefix}${text.includes("\n") ? text.replaceAll("\n", `\n${state.prefix}`) : text}\n`);
  }

  stepFinished(stage: StageIdentity, _index: number, outcome: StepOutcome): void {
    const state = this.state(stage);
    this.endPartial(state);
    const why = outcome.summary && outcome.summary !== outcome.result ? ` (${outcome.summary})` : "";
    this.push(`[${stage.stage}] ── ${outcome.name}: ${outcome.result}${why} in ${formatDuration(outcome.durationMs)}\n`);
    state.prefix = `[${stage.stage}] `;
  }

  stageFinished(stage: StageIdentity, outcome: StageOutcome): void {
    this.endPartial(this.state(stage));
    this.outcomes.set(stage.run, outcome);
    this.push(`[${stage.stage}] ━━ stage ${stage.stage}: ${outcome.summary} in ${formatDuration(outcome.durationMs)}\n`);
  }

  /** Every stage's outcome, in the order the stages started. */
  stageOutcomes(): StageOutcome[] {
    return this.order.flatMap((run) => this.outcomes.get(run) ?? []);
  }

  /** Writes the final table and waits until everything is written. */
  async finish(extra = ""): Promise<void> {
    this.push(`\n${formatTable(this.stageOutcomes())}${extra}`);
    while (this.buffered > 0 || this.draining) await this.flush();
  }

  private state(stage: StageIdentity): StageState {
    let state = this.states.get(stage.run);
    if (!state) {
      state = { prefix: `[${stage.stage}] `, partial: "" };
      this.states.set(stage.run, state);
    }
    return state;
  }

  private endPartial(state: StageState): void {
    if (state.partial.length === 0) return;
    this.push(`${state.prefix}${state.partial}\n`);
    state.partial = "";
  }

  private push(text: string): void {
    this.buffer.push(text);
    this.buffered += text.length;
    if (!this.scheduled && !this.draining) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** When the batch is full, write it; while the stream drains, producers wait (backpressure). */
  private pending(): Promise<void> | undefined {
    if (this.buffered < BATCH_BYTES) return undefined;
    return this.draining ?? this.flush();
  }

  private flush(): Promise<void> {
    this.scheduled = false;
    if (this.draining) return this.draining;
    if (this.buffered === 0) return Promise.resolve();
    const text = this.buffer.length === 1 ? (this.buffer[0] ?? "") : this.buffer.join("");
    this.buffer = [];
    this.buffered = 0;
    if (this.out.write(text)) return Promise.resolve();
    // One drain listener for everyone: writes stop until the stream has caught up.
    this.draining = new Promise((resolve) =>
      this.out.once("drain", () => {
        this.draining = undefined;
        resolve();
        if (this.buffered > 0) void this.flush();
      }),
    );
    return this.draining;
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

/** The table of stages and their steps with result and duration. */
export function formatTable(outcomes: StageOutcome[]): string {
  const rows: [string, string, string][] = [["STAGE / STEP", "RESULT", "DURATION"]];
  for (const stage of outcomes) {
    rows.push([stage.name, stage.result, formatDuration(stage.durationMs)]);
    // hideStepIf: the step ran, its result counts, the table leaves it out (as Buildbot's UI did).
    for (const step of stage.steps.filter((shown) => !shown.hidden)) rows.push([`  ${step.name}`, step.result, step.result === "skipped" && step.durationMs === 0 ? "" : formatDuration(step.durationMs)]);
  }
  const width = (i: number) => Math.max(...rows.map((row) => row[i]?.length ?? 0));
  const [w0, w1] = [width(0), width(1)];
  return `${rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd()).join("\n")}\n`;
}
