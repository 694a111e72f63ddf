/**
 * `SetPropertyFromCommand` (`property`, `command`, `strip` default true) and
 * `EvePropertyFromCommand` (skipped when the user forced the property). As in
 * Buildbot (`commandComplete`: `if cmd.didFail(): return`), a failed command
 * sets nothing, so a later `%(prop:x:-default)s` still takes its default.
 */
import { commandResult, toStepCommand, type StepContext, type StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";
import { pythonTruthy } from "../../buildfile/python-values.js";
import { requireName } from "./set-property.js";

/** A property is a value, not a log: keep at most this much of stdout. */
const CAPTURE_LIMIT = 16 * 1024 * 1024;

export async function setPropertyFromCommand(context: StepContext): Promise<StepRun> {
  return runPropertyCommand(context, async (name, value) => context.properties.set(name, value));
}

/** Runs the step's command and hands its output to `set` when it succeeded (SetBootstrapPropertyFromCommand shares it). */
export async function runPropertyCommand(context: StepContext, set: (name: string, value: string) => Promise<void>): Promise<StepRun> {
  const name = requireName(context.params.property, context.type);
  const command = toStepCommand(context.params.command);
  if (!command) throw new StepConfigError(`${context.type} needs a 'command': a string or a list`);
  if (context.type === "EvePropertyFromCommand" && context.properties.isForced(name)) {
    context.log(`property ${name} was set by the user: kept`);
    return { result: "skipped", exitCode: null, summary: `property '${name}' forced by the user` };
  }
  const run = await context.exec(command, { captureStdout: true });
  const outcome = commandResult(run, context.options);
  if (outcome.result !== "success") return outcome;
  const strip = Object.hasOwn(context.params, "strip") ? pythonTruthy(context.params.strip) : true;
  const stdout = (run.stdout ?? "").slice(0, CAPTURE_LIMIT);
  await set(name, strip ? stdout.trim() : stdout);
  return outcome;
}
