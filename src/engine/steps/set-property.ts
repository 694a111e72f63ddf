/**
 * `SetProperty` (`property`, `value`) and `EveProperty`, which is the same
 * except that a property the user forced wins (EVE-815).
 */
import { pythonStr } from "../../buildfile/python-values.js";
import type { StepContext, StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";

export async function setProperty(context: StepContext): Promise<StepRun> {
  const name = requireName(context.params.property, context.type);
  if (context.type === "EveProperty" && context.properties.isForced(name)) {
    context.log(`property ${name} was set by the user: kept`);
    return { result: "skipped", exitCode: null, summary: `property '${name}' forced by the user` };
  }
  context.properties.set(name, context.params.value ?? null);
  context.log(`${name} = ${pythonStr(context.params.value ?? null)}`);
  return { result: "success", exitCode: null };
}

/** `SetProperties`: every entry of the `properties` mapping. */
export async function setProperties(context: StepContext): Promise<StepRun> {
  const properties = context.params.properties;
  if (properties === null || typeof properties !== "object" || Array.isArray(properties)) {
    throw new StepConfigError("SetProperties needs 'properties': a mapping of names to values");
  }
  for (const [name, value] of Object.entries(properties)) {
    context.properties.set(name, value);
    context.log(`${name} = ${pythonStr(value)}`);
  }
  return { result: "success", exitCode: null };
}

export function requireName(raw: unknown, type: string): string {
  if (typeof raw !== "string" || raw === "") throw new StepConfigError(`${type} needs 'property': the property's name`);
  return raw;
}
