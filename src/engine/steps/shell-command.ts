/**
 * `ShellCommand` (and its alias `ShellCommandWithSecrets`): runs `command` in
 * the workspace. `decodeRC` maps exit codes to results as in Buildbot.
 */
import { commandResult, toStepCommand, type StepContext, type StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";
import type { BuildResult } from "../results.js";

/** Buildbot's result constants, as `decodeRC` values use them. */
const RESULT_CODES: readonly BuildResult[] = ["success", "warnings", "failure", "skipped", "exception", "retry", "cancelled"];

export async function shellCommand(context: StepContext): Promise<StepRun> {
  const command = toStepCommand(context.params.command);
  if (!command) throw new StepConfigError(`${context.type} needs a 'command': a string or a list`);
  const decode = readDecodeRC(context.params.decodeRC);
  const run = await context.exec(command);
  const outcome = commandResult(run, context.options);
  if (decode && run.killedBy === null && run.exitCode !== null) {
    const result = decode.get(run.exitCode) ?? "failure";
    return result === "success" ? { result, exitCode: run.exitCode } : { result, exitCode: run.exitCode, summary: `exited ${run.exitCode}` };
  }
  return outcome;
}

function readDecodeRC(raw: unknown): Map<number, BuildResult> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) throw new StepConfigError("decodeRC must map exit codes to results");
  const map = new Map<number, BuildResult>();
  for (const [code, value] of Object.entries(raw)) {
    const result = typeof value === "number" ? RESULT_CODES[value] : RESULT_CODES.find((r) => r === String(value).toLowerCase());
    if (!/^-?\d+$/.test(code) || result === undefined) throw new StepConfigError(`decodeRC entry ${code}: ${String(value)} is not an exit code → result`);
    map.set(Number(code), result);
  }
  return map;
}
