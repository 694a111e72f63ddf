/**
 * A broken build file gives one failed check run, named after the file, whose
 * annotations point at its lines: the messages `eve lint` prints.
 */
import type { Context } from "probot";
import { formatMessage } from "../buildfile/format-message.js";
import type { ValidationMessage } from "../buildfile/types.js";

/** GitHub takes at most 50 annotations per request. */
const ANNOTATIONS_PER_REQUEST = 50;
/** Beyond this the summary says how many more there are. */
const MAX_ANNOTATIONS = 500;
const MAX_TEXT = 65_535;

export interface BrokenBuildFile {
  owner: string;
  repo: string;
  sha: string;
  /** The build file's path: also the check run's name. */
  path: string;
  messages: ValidationMessage[];
  /** A problem that is not at a line of the file (e.g. the branch's stage does not exist). */
  title?: string;
  detailsUrl?: string;
}

export async function reportBrokenBuildFile(context: Pick<Context, "octokit">, broken: BrokenBuildFile): Promise<void> {
  const errors = broken.messages.filter((message) => message.severity === "error").length;
  const title = broken.title ?? `${broken.path}: ${errors} error${errors === 1 ? "" : "s"}, nothing was built`;
  const lines = broken.messages.map((message) => `    ${formatMessage(message)}`);
  const summary = cut(`Eve could not run this commit: its build file is not valid.\n\n${lines.join("\n")}\n\nRun \`npx eve lint ${broken.path}\` to see the same messages locally.`);
  const annotations = broken.messages.slice(0, MAX_ANNOTATIONS).map((message) => ({
    path: message.file,
    start_line: message.line,
    end_line: message.line,
    ...(message.column > 0 ? { start_column: message.column, end_column: message.column } : {}),
    annotation_level: message.severity === "error" ? ("failure" as const) : ("warning" as const),
    message: cut(message.message),
    title: "eve lint",
  }));
  const output = (batch: typeof annotations) => ({ title: cut(title, 255), summary, annotations: batch });
  const { owner, repo } = broken;
  const created = await context.octokit.rest.checks.create({
    owner,
    repo,
    name: broken.path,
    head_sha: broken.sha,
    status: "completed",
    conclusion: "failure",
    completed_at: new Date().toISOString(),
    ...(broken.detailsUrl === undefined ? {} : { details_url: broken.detailsUrl }),
    output: output(annotations.slice(0, ANNOTATIONS_PER_REQUEST)),
  });
  for (let start = ANNOTATIONS_PER_REQUEST; start < annotations.length; start += ANNOTATIONS_PER_REQUEST) {
    await context.octokit.rest.checks.update({ owner, repo, check_run_id: created.data.id, output: output(annotations.slice(start, start + ANNOTATIONS_PER_REQUEST)) });
  }
}

function cut(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
