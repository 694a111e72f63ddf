/**
 * The timeline as SVG drawn on the server: one time axis from the build's
 * start; a row per stage run (time waiting in its queue drawn apart, hatched,
 * before its running bar) and under it a row per step, so the critical path
 * and the slowest step stand out.
 */
import type { RunRecord } from "../queue/build-history.js";
import { formatDuration, runState, type RunState } from "./build-view.js";
import { escapeHtml, RESULT_COLOURS } from "./page-html.js";

const WIDTH = 960;
const LABEL_W = 210;
const CHART_W = WIDTH - LABEL_W - 20;
const RUN_ROW = 26;
const STEP_ROW = 20;
const AXIS_H = 26;

export function renderTimeline(runs: readonly RunRecord[], startMs: number, endMs: number): string {
  const span = Math.max(1, endMs - startMs);
  const xOf = (ms: number) => LABEL_W + ((Math.min(Math.max(ms, startMs), endMs) - startMs) / span) * CHART_W;
  const rows: string[] = [];
  let y = AXIS_H;
  for (const run of runs) {
    const state = runState(run);
    const label = `${run.stage}${run.attempt > 1 ? ` #${run.attempt}` : ""}`;
    rows.push(`<g class="timeline-run" data-run="${escapeHtml(run.run)}" data-stage="${escapeHtml(run.stage)}" data-attempt="${run.attempt}">`);
    rows.push(`<text x="4" y="${y + 17}" font-size="13" font-weight="600" fill="#1f2328">${escapeHtml(cut(label, 28))}</text>`);
    const queuedUntil = run.startedAt ?? run.finishedAt ?? endMs;
    rows.push(bar("queue", xOf(run.queuedAt), xOf(queuedUntil), y + 5, RUN_ROW - 10, "url(#queued)", `${label}: waited ${formatDuration(queuedUntil - run.queuedAt)} in the ${run.workerType} queue`));
    if (run.startedAt !== undefined) {
      const until = run.finishedAt ?? endMs;
      rows.push(bar("run", xOf(run.startedAt), xOf(until), y + 3, RUN_ROW - 6, RESULT_COLOURS[state], `${label}: ${state}, ran ${formatDuration(until - run.startedAt)}`));
    }
    rows.push("</g>");
    y += RUN_ROW;
    for (const step of run.steps) {
      const stepState: RunState = step.result ?? (run.result === undefined ? "running" : "cancelled");
      const until = step.finishedAt ?? run.finishedAt ?? endMs;
      rows.push(`<g class="timeline-step" data-run="${escapeHtml(run.run)}" data-step="${escapeHtml(step.name)}">`);
      rows.push(`<text x="16" y="${y + 14}" font-size="12" fill="#424a53">${escapeHtml(cut(step.name, 30))}</text>`);
      rows.push(bar("step", xOf(step.startedAt), xOf(until), y + 4, STEP_ROW - 8, RESULT_COLOURS[stepState], `${label} › ${step.name}: ${stepState}, ${formatDuration(until - step.startedAt)}`));
      rows.push("</g>");
      y += STEP_ROW;
    }
  }
  const height = y + 6;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const x = LABEL_W + f * CHART_W;
    return `<line x1="${x}" y1="${AXIS_H - 6}" x2="${x}" y2="${height}" stroke="#d0d7de"/><text x="${x}" y="${AXIS_H - 10}" font-size="11" fill="#59636e" text-anchor="${f === 0 ? "start" : f === 1 ? "end" : "middle"}">${formatDuration(f * span)}</text>`;
  });
  return `<svg class="timeline" role="img" aria-labelledby="timeline-title" viewBox="0 0 ${WIDTH} ${height}" width="100%" style="min-width:40rem" xmlns="http://www.w3.org/2000/svg">
<title id="timeline-title">Timeline: stages and their steps on one time axis from the build's start; hatched, time waiting in a queue</title>
<defs><pattern id="queued" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eaeef2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#6e7781" stroke-width="2"/></pattern></defs>
${ticks.join("\n")}
${rows.join("\n")}
</svg>`;
}

function bar(kind: "queue" | "run" | "step", x1: number, x2: number, y: number, height: number, fill: string, title: string): string {
  // A bar too short to see still shows as a sliver.
  const width = Math.max(1.5, x2 - x1);
  return `<rect class="bar" data-kind="${kind}" x="${x1.toFixed(2)}" y="${y}" width="${width.toFixed(2)}" height="${height}" fill="${fill}"><title>${escapeHtml(title)}</title></rect>`;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The step that took longest, for the line under the timeline. */
export function slowestStep(runs: readonly RunRecord[], endMs: number): { stage: string; step: string; ms: number } | undefined {
  let slowest: { stage: string; step: string; ms: number } | undefined;
  for (const run of runs) {
    for (const step of run.steps) {
      const ms = (step.finishedAt ?? run.finishedAt ?? endMs) - step.startedAt;
      if (!slowest || ms > slowest.ms) slowest = { stage: run.stage, step: step.name, ms };
    }
  }
  return slowest;
}
