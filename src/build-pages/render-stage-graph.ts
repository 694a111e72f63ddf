/**
 * The stage graph as SVG drawn on the server: the top stage and the stages it
 * triggered, nested as they ran (one row per stage under its parent, indented
 * one level per trigger), re-run attempts side by side on their row. Each node
 * is a link to its run's log; its colour, result and duration are written on
 * it, and an artifacts link sits under it when the run has a container.
 */
import type { RunRecord } from "../queue/build-history.js";
import { formatDuration, runState } from "./build-view.js";
import { escapeHtml, RESULT_COLOURS } from "./page-html.js";

const NODE_W = 210;
const NODE_H = 58;
const GAP_X = 14;
const INDENT = 36;
const ROW_H = NODE_H + 30;
const MARGIN = 10;

export interface GraphLinks {
  log(run: string): string;
}

interface PlacedRun {
  run: RunRecord;
  x: number;
  y: number;
  parent: PlacedRun | undefined;
}

/** Rows in depth-first order: a stage's row, then the rows of the stages each of its attempts triggered. */
export function placeRuns(runs: readonly RunRecord[]): PlacedRun[] {
  const known = new Set(runs.map((run) => run.run));
  const groups = new Map<string, RunRecord[]>();
  const groupsUnder = new Map<string, string[]>();
  for (const run of runs) {
    const parent = run.parentRun !== undefined && known.has(run.parentRun) ? run.parentRun : "";
    const key = `${parent}\u0000${run.stage}`;
    if (!groups.has(key)) {
      groups.set(key, []);
      groupsUnder.set(parent, [...(groupsUnder.get(parent) ?? []), key]);
    }
    groups.get(key)?.push(run);
  }
  const placed: PlacedRun[] = [];
  const placedByRun = new Map<string, PlacedRun>();
  let row = 0;
  const visit = (parentRun: string, depth: number, parentX: number) => {
    for (const key of groupsUnder.get(parentRun) ?? []) {
      const attempts = [...(groups.get(key) ?? [])].sort((a, b) => a.attempt - b.attempt);
      const y = MARGIN + row++ * ROW_H;
      const x0 = depth === 0 ? MARGIN : parentX + INDENT;
      attempts.forEach((run, index) => {
        const node: PlacedRun = { run, x: x0 + index * (NODE_W + GAP_X), y, parent: parentRun === "" ? undefined : placedByRun.get(parentRun) };
        placed.push(node);
        placedByRun.set(run.run, node);
      });
      for (const node of attempts.map((run) => placedByRun.get(run.run) as PlacedRun)) visit(node.run.run, depth + 1, node.x);
    }
  };
  visit("", 0, MARGIN);
  return placed;
}

export function renderStageGraph(runs: readonly RunRecord[], now: number, links: GraphLinks): string {
  const placed = placeRuns(runs);
  const width = Math.max(NODE_W + 2 * MARGIN, ...placed.map((node) => node.x + NODE_W + MARGIN));
  const height = Math.max(ROW_H, MARGIN + Math.max(0, ...placed.map((node) => node.y + ROW_H)));
  const edges = placed
    .filter((node) => node.parent !== undefined)
    .map((node) => {
      const parent = node.parent as PlacedRun;
      const fromX = parent.x + 18;
      const fromY = parent.y + NODE_H;
      const toY = node.y + NODE_H / 2;
      return `<path d="M${fromX} ${fromY} V${toY} H${node.x}" fill="none" stroke="#8c959f" stroke-width="1.5"/>`;
    });
  const nodes = placed.map((node) => renderNode(node, now, links));
  return `<svg class="stage-graph" role="img" aria-labelledby="graph-title graph-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<title id="graph-title">Stage graph</title>
<desc id="graph-desc">${escapeHtml(describeGraph(runs))}</desc>
${edges.join("\n")}
${nodes.join("\n")}
</svg>`;
}

function renderNode(node: PlacedRun, now: number, links: GraphLinks): string {
  const { run, x, y } = node;
  const state = runState(run);
  const duration = durationOf(run, now);
  const label = `${run.stage}, attempt ${run.attempt}: ${state}${duration === undefined ? "" : ` in ${formatDuration(duration)}`}. Open its log.`;
  const name = run.stage.length > 24 ? `${run.stage.slice(0, 23)}…` : run.stage;
  const artifacts = run.artifactsUrl
    ? `<a class="artifacts-link" href="${escapeHtml(run.artifactsUrl)}" aria-label="Artifacts of ${escapeHtml(run.stage)}, attempt ${run.attempt}"><text x="${x + NODE_W - 4}" y="${y + NODE_H + 16}" text-anchor="end" font-size="12" fill="#0550ae" text-decoration="underline">artifacts</text></a>`
    : "";
  return `<g class="stage-node" data-run="${escapeHtml(run.run)}" data-stage="${escapeHtml(run.stage)}" data-attempt="${run.attempt}" data-state="${state}">
<a class="log-link" href="${escapeHtml(links.log(run.run))}" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title>
<rect class="node" x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="6" fill="${RESULT_COLOURS[state]}" stroke="#1f2328" stroke-width="1"/>
<text x="${x + 10}" y="${y + 22}" font-size="14" font-weight="600" fill="#fff">${escapeHtml(name)}</text>
<text x="${x + 10}" y="${y + 44}" font-size="12" fill="#fff">${run.attempt > 1 ? `attempt ${run.attempt} · ` : ""}${state}${duration === undefined ? "" : ` · ${formatDuration(duration)}`}</text>
</a>${artifacts}
</g>`;
}

/** The run's running time: its recorded duration once ended, the time since it started while running. */
export function durationOf(run: RunRecord, now: number): number | undefined {
  if (run.durationMs !== undefined && run.result !== undefined) return run.durationMs;
  if (run.startedAt === undefined) return undefined;
  return (run.finishedAt ?? now) - run.startedAt;
}

/** The text alternative of the graph: who triggered whom, and how each ended. */
function describeGraph(runs: readonly RunRecord[]): string {
  const byRun = new Map(runs.map((run) => [run.run, run]));
  return runs
    .map((run) => {
      const parent = run.parentRun === undefined ? undefined : byRun.get(run.parentRun);
      return `${run.stage} attempt ${run.attempt} (${runState(run)})${parent ? `, triggered by ${parent.stage}` : ", top stage"}`;
    })
    .join("; ");
}
