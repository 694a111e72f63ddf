import type { BuildResult } from "../engine/results.js";
import type { StageOutcome, StepOutcome } from "../engine/types.js";
import type { Annotation } from "./matchers/annotation.js";
import { formatArtifactLinks } from "./format-artifact-links.js";
import { createTestAnnotations, formatTestResults } from "./format-test-results.js";
import { stripAnsi } from "./strip-ansi.js";

/** GitHub's limits on a check run's output (REST docs, "Create a check run"). */
export const CHECK_LIMITS = {
  /** `output.summary` and `output.text`: "Maximum length: 65535 characters". */
  markdown: 65_535,
  /** Annotations per request. */
  annotationsPerRequest: 50,
  /** GitHub documents no limit on `output.title`; we keep to the annotation title's 255. */
  title: 255,
} as const;

export type CheckConclusion = "success" | "neutral" | "failure" | "cancelled" | "skipped";

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: Annotation[];
}

export interface FormatOptions {
  /** Conclusion for Buildbot's `warnings` (default neutral: passing, but visibly not clean). */
  warningsConclusion?: "neutral" | "success";
  /** Eve's log page for the run, linked from the summary. */
  logUrl?: string;
  /** Eve's page of the whole build (stage graph, timeline), linked from the summary. */
  buildUrl?: string;
}

export interface CompletedCheckInput extends FormatOptions {
  outcome: StageOutcome;
  /** The end of the log (ANSI codes are stripped here). */
  logTail: string;
  annotations: readonly Annotation[];
  /** Matches the collector did not keep (over its cap). */
  droppedAnnotations?: number;
}

export interface CompletedCheck {
  conclusion: CheckConclusion;
  /** False for `retry`: this attempt ends (neutral, "Retrying: …"), the stage runs again as a new attempt. */
  final: boolean;
  /** The completion's output, with the first 50 annotations. */
  output: CheckRunOutput;
  /** Further annotations, in chunks of 50, for follow-up updates (same title and summary). */
  moreAnnotations: Annotation[][];
}

/**
 * Maps a Buildbot result to a check-run conclusion; undefined for `retry`,
 * which is not final (the stage runs again as a new attempt).
 */
export function conclusionFor(result: BuildResult, options: FormatOptions = {}): CheckConclusion | undefined {
  switch (result) {
    case "success":
    case "failure":
    case "cancelled":
    case "skipped":
      return result;
    case "warnings":
      return options.warningsConclusion ?? "neutral";
    case "exception":
      return "failure";
    case "retry":
      return undefined;
  }
}

/** The output of a completed check run: title, step table, log tail and annotations in chunks of 50. */
export function formatCompletedCheck(input: CompletedCheckInput): CompletedCheck {
  const { outcome } = input;
  const conclusion = conclusionFor(outcome.result, input) ?? "neutral";
  const headline = outcome.summary || outcome.result;
  const title = outcome.result === "exception" ? `Eve error: ${headline}` : outcome.result === "retry" ? `Retrying: ${headline}` : headline;
  const notes = [`**${outcome.result}** in ${formatDuration(outcome.durationMs)}`];
  if (input.droppedAnnotations) notes.push(`${input.droppedAnnotations} more problems found than annotations kept`);
  // Failing tests first: they are the reason of the failure and come with the completion.
  const chunks = chunk([...createTestAnnotations(outcome.steps), ...input.annotations], CHECK_LIMITS.annotationsPerRequest);
  const steps = formatSummary(outcome.steps, notes, input.logUrl, input.buildUrl);
  const output: CheckRunOutput = {
    title: cut(title, CHECK_LIMITS.title),
    summary: steps + formatTestResults(outcome.steps, CHECK_LIMITS.markdown - steps.length, formatDuration),
    ...logText(input.logTail, input.logUrl),
  };
  const [first = [], ...rest] = chunks;
  if (first.length > 0) output.annotations = first;
  return { conclusion, final: outcome.result !== "retry", output, moreAnnotations: rest };
}

/** The output of a running check run: what has run so far and the log tail. */
export function formatProgress(steps: readonly StepOutcome[], running: string | undefined, logTail: string, options: FormatOptions = {}): CheckRunOutput {
  const title = running === undefined ? "Running" : `Running step ${steps.length + 1}: ${running}`;
  return {
    title: cut(title, CHECK_LIMITS.title),
    summary: formatSummary(steps, [running === undefined ? "running" : `running \`${escapeCode(running)}\``], options.logUrl, options.buildUrl),
    ...logText(logTail, options.logUrl),
  };
}

/** `text` only when there is output: an empty tail (a stage refused before its first step) would show an empty code block. */
function logText(logTail: string, logUrl: string | undefined): { text?: string } {
  return stripAnsi(logTail).trim() === "" ? {} : { text: formatLogText(logTail, logUrl) };
}

/** A Markdown table of the steps, cut on a row to fit GitHub's limit. */
export function formatSummary(steps: readonly StepOutcome[], notes: readonly string[], logUrl?: string, buildUrl?: string): string {
  const head = [notes.join(" · ") + (logUrl ? ` · [full log](${logUrl})` : "") + (buildUrl ? ` · [whole build](${buildUrl})` : ""), ""];
  if (steps.length === 0) return head.join("\n").trimEnd();
  head.push("| # | Step | Result | Duration |", "|---:|---|---|---:|");
  // hideStepIf: the step ran and counts, but the table leaves it out; the others keep their numbers.
  const rows = steps.flatMap((step, i) => (step.hidden ? [] : [{ step, i }])).map(
    ({ step, i }) =>
      `| ${i + 1} | ${escapeCell(step.name)} | ${ICONS[step.result]} ${step.result}${step.summary && step.summary !== step.result ? `: ${escapeCell(step.summary)}` : ""} | ${formatDuration(step.durationMs)} |`,
  );
  const room = CHECK_LIMITS.markdown - head.join("\n").length - 200;
  let used = 0;
  let kept = 0;
  while (kept < rows.length && used + (rows[kept]?.length ?? 0) + 1 <= room) used += (rows[kept++]?.length ?? 0) + 1;
  const lines = [...head, ...rows.slice(0, kept)];
  if (kept < rows.length) lines.push("", `… ${rows.length - kept} more steps: see the full log.`);
  const artifacts = formatArtifactLinks(steps);
  const table = lines.join("\n");
  // Links come after the table, as far as they fit.
  return artifacts === "" ? table : cutOnLine(`${table}\n\n${artifacts}`, CHECK_LIMITS.markdown);
}

/** The log tail without ANSI codes, fenced, cut on a line boundary to fit GitHub's limit. */
export function formatLogText(logTail: string, logUrl?: string): string {
  const plain = stripAnsi(logTail).replace(/\r\n/g, "\n");
  const longestTicks = Math.max(2, ...[...plain.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longestTicks + 1);
  const note = `… earlier output omitted${logUrl ? `: [full log](${logUrl})` : ""}\n\n`;
  const room = CHECK_LIMITS.markdown - note.length - 2 * fence.length - 2;
  let body = plain.replace(/\n$/, "");
  let omitted = false;
  if (body.length > room) {
    omitted = true;
    body = body.slice(body.length - room);
    const newline = body.indexOf("\n");
    // A single line longer than the room is cut mid-line rather than dropped.
    body = newline >= 0 ? body.slice(newline + 1) : body;
  }
  return `${omitted ? note : ""}${fence}\n${body}\n${fence}`;
}

const ICONS: Record<BuildResult, string> = {
  success: "✅",
  warnings: "⚠️",
  failure: "❌",
  skipped: "⏭️",
  exception: "💥",
  cancelled: "🚫",
  retry: "🔁",
};

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const min = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h} h ${String(min).padStart(2, "0")} min` : `${min} min ${String(s).padStart(2, "0")} s`;
}

/** Cuts to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function cut(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  if (oneLine.length <= max) return oneLine;
  return Array.from(oneLine.slice(0, max - 1)).join("").replace(/[\uD800-\uDBFF]$/, "") + "…";
}

/** Names come from the build file: keep them from breaking the table or injecting markup. */
function escapeCell(text: string): string {
  return cut(text, 500).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeCode(text: string): string {
  return cut(text, 200).replace(/`/g, "'");
}

function cutOnLine(text: string, max: number): string {
  if (text.length <= max) return text;
  const cutAt = text.lastIndexOf("\n", max);
  return text.slice(0, cutAt > 0 ? cutAt : max);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
