/**
 * `SetBootstrapProperty` (`property`, `value`) and
 * `SetBootstrapPropertyFromCommand` (`property`, `command`): Eve wrote the
 * property onto the bootstrap build (`eve/steps/property.py`), its only
 * upward channel. Here it goes onto the build's top stage, which applies it
 * before its next step, so the stages it triggers later see the value; the
 * stage that ran the step does not (as in Eve).
 */
import { pythonStr } from "../../buildfile/python-values.js";
import type { StepContext, StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";
import { requireName } from "./set-property.js";
import { runPropertyCommand } from "./set-property-from-command.js";

export async function setBootstrapProperty(context: StepContext): Promise<StepRun> {
  const name = requireName(context.params.property, context.type);
  const value = context.params.value ?? null;
  await writeBootstrap(context, name, value);
  return { result: "success", exitCode: null };
}

export async function setBootstrapPropertyFromCommand(context: StepContext): Promise<StepRun> {
  return runPropertyCommand(context, (name, value) => writeBootstrap(context, name, value));
}

async function writeBootstrap(context: StepContext, name: string, value: unknown): Promise<void> {
  const channel = context.run.bootstrap;
  if (!channel) throw new StepConfigError(`${context.type}: this run has no top stage to write to`);
  await channel.write(name, value);
  context.log(`${name} = ${pythonStr(value)} (on the build's top stage)`);
}
