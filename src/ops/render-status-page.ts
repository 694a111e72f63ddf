/** The operator page's HTML, from the metrics registry's JSON (prom-client's getMetricsAsJSON). */
import { formatDuration } from "../build-pages/build-view.js";
import { escapeHtml, renderFrame } from "../build-pages/page-html.js";

/** What the page reads of one metric. */
export interface MetricJson {
  name: string;
  values: { labels: Record<string, string | number>; value: number }[];
}

export function renderStatusPage(metrics: readonly MetricJson[], now: number, problem: string | undefined): string {
  const values = (name: string) => metrics.find((metric) => metric.name === name)?.values ?? [];
  const label = (value: { labels: Record<string, string | number> }, key: string) => String(value.labels[key] ?? "");
  const ago = (seconds: number) => formatDuration(Math.max(0, now - seconds * 1000));

  const queues = new Map<string, Record<string, number>>();
  for (const value of values("eve_queue_jobs")) {
    const type = label(value, "worker_type");
    queues.set(type, { ...queues.get(type), [label(value, "state")]: value.value });
  }
  const queueRows = [...queues].map(([type, counts]) => {
    const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    return `<tr data-worker-type="${escapeHtml(type)}"><th scope="row">${escapeHtml(type)}</th><td data-state="waiting">${waiting}</td><td data-state="running">${counts.active ?? 0}</td><td data-state="delayed">${counts.delayed ?? 0}</td><td>${counts.failed ?? 0}</td></tr>`;
  });

  const running = [...values("eve_stage_started_timestamp_seconds")].sort((a, b) => a.value - b.value);
  const runningRows = running.map(
    (value) =>
      `<tr><td><a href="/logs/${encodeURIComponent(label(value, "run"))}">${escapeHtml(label(value, "stage"))}</a></td><td>${escapeHtml(label(value, "worker_type"))}</td><td>${ago(value.value)}</td><td>${escapeHtml(label(value, "process"))}</td></tr>`,
  );

  const processes = new Map<string, { heartbeat?: number; capacity: string[] }>();
  for (const value of values("eve_worker_process_heartbeat_timestamp_seconds")) processes.set(label(value, "process"), { heartbeat: value.value, capacity: [] });
  for (const value of values("eve_worker_process_capacity")) {
    const process = processes.get(label(value, "process")) ?? { capacity: [] };
    process.capacity.push(`${label(value, "worker_type")} × ${value.value}`);
    processes.set(label(value, "process"), process);
  }
  const processRows = [...processes].map(
    ([process, { heartbeat, capacity }]) => `<tr><td>${escapeHtml(process)}</td><td>${escapeHtml(capacity.join(", "))}</td><td>${heartbeat === undefined ? "" : `${ago(heartbeat)} ago`}</td></tr>`,
  );

  const lastSweep = values("eve_reaper_last_sweep_timestamp_seconds")[0]?.value ?? 0;
  const removed = values("eve_reaper_last_sweep_removed").filter((value) => label(value, "kind") !== "all");
  const removedAll = values("eve_reaper_last_sweep_removed").find((value) => label(value, "kind") === "all")?.value ?? 0;
  const reaper =
    lastSweep > 0
      ? `<p>Last sweep ${ago(lastSweep)} ago: removed ${removedAll}${removed.length > 0 ? ` (${removed.map((value) => `${escapeHtml(label(value, "kind"))}: ${value.value}`).join(", ")})` : ""}.</p>`
      : "<p>This process's reaper has not finished a sweep yet (it runs where stages run).</p>";

  const backlogRows = values("eve_github_write_backlog").map((value) => `<tr><td>${escapeHtml(label(value, "installation"))}</td><td>${value.value}</td></tr>`);

  const table = (id: string, heads: string[], rows: string[], empty: string) =>
    rows.length === 0
      ? `<p>${empty}</p>`
      : `<div class="scroll"><table aria-labelledby="${id}"><thead><tr>${heads.map((head) => `<th scope="col">${head}</th>`).join("")}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table></div>`;

  const body = `<header><h1>Eve status</h1>
<p class="muted">The numbers of <code>/metrics</code>, read ${new Date(now).toISOString().replace("T", " ").slice(0, 19)} UTC. Queues, running stages and worker processes are cluster-wide; the reaper and the GitHub writes are this process's.</p>
${problem === undefined ? "" : `<p role="alert">Redis could not be read: ${escapeHtml(problem)}; the numbers below may be old.</p>`}
</header>
<main>
<h2 id="queues">Queues</h2>
${table("queues", ["Worker type", "Waiting", "Running", "Delayed", "Failed (kept)"], queueRows, "No queue.")}
<h2 id="running">Running stages</h2>
${table("running", ["Stage", "Worker type", "Age", "Worker process"], runningRows, "No stage is running.")}
<h2 id="processes">Worker processes</h2>
${table("processes", ["Process", "Capacity", "Last heartbeat"], processRows, "No live worker process.")}
<h2 id="reaper">Reaper</h2>
${reaper}
<h2 id="github">GitHub writes waiting</h2>
${table("github", ["Installation", "Writes"], backlogRows, "None: every write has been sent.")}
</main>`;
  return renderFrame("Eve status", body);
}
