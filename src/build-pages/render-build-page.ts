/** The build page's HTML: the facts of the build, then the live part (graph, timeline, table of runs). */
import type { RunTrigger } from "../queue/job-data.js";
import { buildView, formatDuration, runState, type BuildView } from "./build-view.js";
import { badge, escapeHtml, RESULT_COLOURS, renderFrame } from "./page-html.js";
import { durationOf, renderStageGraph } from "./render-stage-graph.js";
import { renderTimeline, slowestStep } from "./render-timeline.js";
import type { BuildRecord } from "../queue/build-history.js";

export interface BuildPageLinks {
  log(run: string): string;
  repository(owner: string, repo: string): string;
  /** The page's script (live updates); absent once the build ended. */
  script: string;
}

export function describeTrigger(trigger: RunTrigger | undefined): string {
  switch (trigger?.kind) {
    case "push":
      return "push";
    case "pull_request":
      return "pull request";
    case "rerun":
      return `re-run by @${trigger.by}`;
    case "approval":
      return `approved by @${trigger.by}`;
    default:
      return "unknown";
  }
}

export function renderBuildPage(record: BuildRecord, now: number, links: BuildPageLinks): string {
  const view = buildView(record, now);
  const { info } = record;
  const body = `<header>
<p><a href="${escapeHtml(links.repository(info.owner, info.repo))}">${escapeHtml(`${info.owner}/${info.repo}`)}</a></p>
<h1>Build ${escapeHtml(info.build)}</h1>
<dl class="facts">
<dt>Commit</dt><dd><code>${escapeHtml(info.sha.slice(0, 12))}</code></dd>
<dt>Branch</dt><dd>${escapeHtml(info.branch)}</dd>
<dt>Trigger</dt><dd>${escapeHtml(describeTrigger(info.trigger))}</dd>
<dt>Started</dt><dd><time datetime="${new Date(view.startMs).toISOString()}">${new Date(view.startMs).toISOString().replace("T", " ").slice(0, 19)} UTC</time></dd>
</dl>
<p id="build-status" aria-live="polite">${renderStatus(view)}</p>
</header>
<main id="build-live" data-ended="${view.ended}">
${renderLive(view, now, links)}
</main>`;
  return renderFrame(`Build ${info.build} · ${info.owner}/${info.repo}`, body, view.ended ? undefined : links.script);
}

export function renderStatus(view: BuildView): string {
  return `Result: ${badge(view.state)} · ${view.ended ? "took" : "running for"} ${formatDuration(view.endMs - view.startMs)}${view.failedStages.length > 0 ? ` · did not pass: ${view.failedStages.map(escapeHtml).join(", ")}` : ""}`;
}

/** What changes while the build runs; the events stream sends it again on each change. */
export function renderLive(view: BuildView, now: number, links: Pick<BuildPageLinks, "log">): string {
  const { runs } = view.record;
  const slowest = slowestStep(runs, view.endMs);
  const legend = (["success", "failure", "warnings", "exception", "cancelled", "running"] as const)
    .map((state) => `<span><i style="background:${RESULT_COLOURS[state]}"></i>${state}</span>`)
    .join("");
  const rows = runs.map((run) => {
    const duration = durationOf(run, now);
    const parent = runs.find((other) => other.run === run.parentRun);
    const waited = (run.startedAt ?? now) - run.queuedAt;
    return `<tr><td><a href="${escapeHtml(links.log(run.run))}">${escapeHtml(run.stage)}</a></td><td>${run.attempt}</td><td>${badge(runState(run))}</td><td>${duration === undefined ? "" : formatDuration(duration)}</td><td>${formatDuration(waited)}</td><td>${escapeHtml(run.workerType)}</td><td>${parent ? escapeHtml(parent.stage) : "—"}</td><td>${run.artifactsUrl ? `<a href="${escapeHtml(run.artifactsUrl)}">artifacts</a>` : ""}</td></tr>`;
  });
  return `<h2 id="graph-heading">Stage graph</h2>
<p class="muted">Each stage under the stage that triggered it; re-run attempts side by side. A node opens its log.</p>
<div class="figure" role="group" aria-labelledby="graph-heading">${renderStageGraph(runs, now, links)}</div>
<p class="legend" aria-hidden="true">${legend}<span><i style="background:#eaeef2;border:1px dashed #6e7781"></i>waiting in queue</span></p>
<h2 id="timeline-heading">Timeline</h2>
<div class="figure" role="group" aria-labelledby="timeline-heading">${renderTimeline(runs, view.startMs, view.endMs)}</div>
${slowest ? `<p>Slowest step: <strong>${escapeHtml(slowest.step)}</strong> in ${escapeHtml(slowest.stage)} (${formatDuration(slowest.ms)}).</p>` : ""}
<h2 id="runs-heading">Stage runs</h2>
<div class="scroll"><table aria-labelledby="runs-heading">
<thead><tr><th scope="col">Stage</th><th scope="col">Attempt</th><th scope="col">Result</th><th scope="col">Ran</th><th scope="col">Waited</th><th scope="col">Worker</th><th scope="col">Triggered by</th><th scope="col">Artifacts</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody></table></div>`;
}
