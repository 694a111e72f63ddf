/** The repository page: its recent builds per branch, newest first, with a filter by branch. Columns in the order a phone shows them first. */
import type { BuildRecord } from "../queue/build-history.js";
import { buildView, formatDuration } from "./build-view.js";
import { badge, escapeHtml, renderFrame } from "./page-html.js";
import { describeTrigger } from "./render-build-page.js";

export interface RepositoryPageInput {
  owner: string;
  repo: string;
  /** Newest first. */
  builds: readonly BuildRecord[];
  /** Branches of every build read, for the filter (the shown builds may be one branch's). */
  branches: readonly string[];
  branch: string | undefined;
  buildUrl(build: string): string;
  now: number;
}

export function renderRepositoryPage(input: RepositoryPageInput): string {
  const name = `${input.owner}/${input.repo}`;
  const byBranch = new Map<string, BuildRecord[]>();
  for (const record of input.builds) byBranch.set(record.info.branch, [...(byBranch.get(record.info.branch) ?? []), record]);
  const options = input.branches.map((branch) => `<option value="${escapeHtml(branch)}"${branch === input.branch ? " selected" : ""}>${escapeHtml(branch)}</option>`);
  const sections = [...byBranch].map(([branch, records]) => {
    const rows = records.map((record) => {
      const view = buildView(record, input.now);
      return `<tr><td><a href="${escapeHtml(input.buildUrl(record.info.build))}">${escapeHtml(record.info.build)}</a></td><td>${badge(view.state)}</td><td>${view.failedStages.map(escapeHtml).join(", ")}</td><td>${formatDuration(view.endMs - view.startMs)}</td><td><code>${escapeHtml(record.info.sha.slice(0, 7))}</code></td><td>${escapeHtml(describeTrigger(record.info.trigger))}</td><td><time datetime="${new Date(view.startMs).toISOString()}">${new Date(view.startMs).toISOString().replace("T", " ").slice(0, 16)}</time></td></tr>`;
    });
    return `<section class="branch" data-branch="${escapeHtml(branch)}">
<h2>${escapeHtml(branch)}</h2>
<div class="scroll"><table>
<thead><tr><th scope="col">Build</th><th scope="col">Result</th><th scope="col">Did not pass</th><th scope="col">Duration</th><th scope="col">Commit</th><th scope="col">Trigger</th><th scope="col">Started (UTC)</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody></table></div>
</section>`;
  });
  const body = `<header>
<h1>${escapeHtml(name)}: builds</h1>
<form method="get">
<label for="branch">Branch</label>
<select id="branch" name="branch"><option value="">all branches</option>${options.join("")}</select>
<button type="submit">Show</button>
</form>
</header>
<main>
${sections.length === 0 ? `<p>No build of ${escapeHtml(name)}${input.branch === undefined ? "" : ` on ${escapeHtml(input.branch)}`} on record.</p>` : sections.join("\n")}
</main>`;
  return renderFrame(`${name}: builds`, body);
}
