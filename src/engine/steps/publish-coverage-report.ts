/**
 * `PublishCoverageReport` as Eve (`eve/steps/publish_coverage_report.py`):
 * reads `filepaths` out of the worker (missing ones skipped with
 * `skipMissingFile`), asks the Codecov-compatible endpoint of the settings
 * for an upload (`POST <url>/upload/v4` with commit, token, build, slug,
 * branch, name, flags, yaml: two lines back, the report's page and where to
 * PUT it), then PUTs the reports there. Eve sent only the first file; every
 * file goes, in Codecov's `# path=` format. The token is the repository's
 * secret `codecov_token`.
 */
import { pythonStr, pythonTruthy } from "../../buildfile/python-values.js";
import { readWorkerOutput } from "../read-worker-output.js";
import type { StepContext, StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";

/** Eve's `maxSize` had no default; this Eve keeps a report a report. */
const DEFAULT_MAX_SIZE = 64 * 1024 * 1024;
export const CODECOV_TOKEN_SECRET = "codecov_token";

export async function publishCoverageReport(context: StepContext): Promise<StepRun> {
  const endpoint = context.run.services?.coverage;
  if (!endpoint) throw new StepConfigError("PublishCoverageReport: this Eve has no coverage endpoint");
  const revision = text(context.params.revision);
  if (!revision) return { result: "failure", exitCode: null, summary: "PublishCoverageReport: missing revision" };
  const token = context.run.secrets.get(CODECOV_TOKEN_SECRET);
  if (!token) return { result: "failure", exitCode: null, summary: `PublishCoverageReport: no secret '${CODECOV_TOKEN_SECRET}' for this repository: its upload token goes there` };
  const files = list(context.params.filepaths);
  if (files.length === 0) return { result: "skipped", exitCode: null, summary: "no report given" };
  const maxSize = context.params.maxSize === undefined || context.params.maxSize === null ? DEFAULT_MAX_SIZE : Math.min(DEFAULT_MAX_SIZE, Number(context.params.maxSize));
  if (!Number.isFinite(maxSize) || maxSize <= 0) throw new StepConfigError("PublishCoverageReport: maxSize must be a number of bytes");
  const skipMissing = pythonTruthy(context.params.skipMissingFile);

  const reports: string[] = [];
  for (const file of new Set(files)) {
    const read = await readWorkerOutput(context.workspace, { argv: ["sh", "-c", 'test -f "$2" && head -c "$1" -- "$2"', "eve-read", String(maxSize + 1), file] }, { workdir: context.workdir, maxBytes: maxSize, signal: context.signal });
    if (read.exitCode !== 0) {
      if (skipMissing) continue;
      return { result: "failure", exitCode: null, summary: `File "${file}" not found (or not a regular file)` };
    }
    if (read.truncated) return { result: "failure", exitCode: null, summary: `File "${file}" is larger than maxSize (${maxSize} bytes)` };
    reports.push(`# path=${file}\n${read.stdout.toString("utf8")}\n<<<<<< EOF\n`);
  }
  if (reports.length === 0) return { result: "skipped", exitCode: null, summary: "no report found" };

  const query = new URLSearchParams({ commit: revision, token, build: pythonStr(context.properties.get("buildnumber") ?? ""), service: "buildbot" });
  const optional: [string, unknown][] = [["build_url", context.properties.get("buildurl")], ["yaml", context.params.configFile], ["branch", context.params.branch], ["name", context.params.uploadName], ["slug", context.params.repository], ["flags", list(context.params.flags).join(",")]];
  for (const [name, value] of optional) if (text(value)) query.set(name, text(value));
  context.log(`uploading ${reports.length} coverage report(s) for ${revision} to ${endpoint.url}`);
  const asked = await send(`${endpoint.url}/upload/v4?${query}`, { method: "POST", headers: { accept: "text/plain" }, signal: context.signal });
  if (!asked.ok) return { result: "failure", exitCode: null, summary: `Unable to send request to "${endpoint.url}": ${asked.error}` };
  const lines = asked.body.trim().split("\n");
  if (lines.length !== 2) return { result: "failure", exitCode: null, summary: `Invalid response from ${endpoint.url}` };
  const [page = "", target = ""] = lines;
  if (!/^https?:\/\//.test(target)) return { result: "failure", exitCode: null, summary: `Invalid upload URL from ${endpoint.url}` };
  const put = await send(target, { method: "PUT", headers: { "content-type": "text/plain", "x-amz-acl": "public-read" }, body: reports.join(""), signal: context.signal });
  if (!put.ok) return { result: "failure", exitCode: null, summary: `Unable to send the code coverage report: ${put.error}` };
  context.log(`coverage report: ${page}`);
  return { result: "success", exitCode: null };
}

async function send(url: string, init: RequestInit): Promise<{ ok: true; body: string } | { ok: false; error: string }> {
  try {
    const response = await fetch(url, { ...init, redirect: "error" });
    const body = (await response.text()).slice(0, 64 * 1024);
    return response.ok ? { ok: true, body } : { ok: false, error: `HTTP ${response.status} ${body.trim().split("\n")[0] ?? ""}`.trim() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function text(value: unknown): string {
  return value === undefined || value === null ? "" : pythonStr(value);
}

function list(value: unknown): string[] {
  if (value === undefined || value === null || value === "") return [];
  return (Array.isArray(value) ? value : [value]).map((item: unknown) => pythonStr(item)).filter((item) => item !== "");
}
