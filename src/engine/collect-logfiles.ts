/**
 * Buildbot's `logfiles` (`{name: path}` or `{name: {filename, follow}}`,
 * paths relative to the step's workdir): once the step is done, each file's
 * end is read out of the worker and shown in the stage log under its name,
 * masked like any output. A missing file says so, unless `lazylogfiles`.
 */
import { pythonStr, pythonTruthy } from "../buildfile/python-values.js";
import { createOutputPipeline } from "../logs/output-pipeline.js";
import { readWorkerOutput } from "./read-worker-output.js";
import type { StepContext } from "./step-context.js";
import { StepConfigError } from "./step-options.js";

/** The end of each file that is shown: a log page is not a file store. */
export const LOGFILE_TAIL_BYTES = 1024 * 1024;

export async function collectLogfiles(context: StepContext): Promise<void> {
  const files = readLogfiles(context.params.logfiles);
  const lazy = pythonTruthy(context.params.lazylogfiles);
  for (const [name, path] of files) {
    const read = await readWorkerOutput(context.workspace, { argv: ["sh", "-c", 'test -f "$2" && tail -c "$1" -- "$2"', "eve-logfile", String(LOGFILE_TAIL_BYTES), path] }, { workdir: context.workdir, maxBytes: LOGFILE_TAIL_BYTES, signal: context.signal });
    if (read.exitCode !== 0) {
      if (!lazy) context.log(`── logfile ${name}: ${path} not found ──`);
      continue;
    }
    context.log(`── logfile ${name}: ${path} ──`);
    const pipeline = createOutputPipeline({ secrets: context.run.secrets.values(), sink: (text) => context.run.observer.output(context.stage, text) });
    await pipeline.write(read.stdout, "stdout");
    if (read.stdout.length > 0 && read.stdout[read.stdout.length - 1] !== 0x0a) await pipeline.write(Buffer.from("\n"), "stdout");
    await pipeline.end();
  }
}

function readLogfiles(raw: unknown): [string, string][] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== "object" || Array.isArray(raw)) throw new StepConfigError("logfiles must map names to files ({name: path} or {name: {filename: path}})");
  return Object.entries(raw).map(([name, value]) => {
    const filename = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as { filename?: unknown }).filename : value;
    if (filename === undefined || filename === null || filename === "") throw new StepConfigError(`logfile '${name}' names no file`);
    return [name, pythonStr(filename)];
  });
}
