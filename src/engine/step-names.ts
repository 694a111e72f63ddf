/**
 * Step display names: the yaml `name` cut to 50 characters (before an
 * interpolation the cut would split, as Eve did), Buildbot's default name for
 * unnamed steps, and `_1`, `_2` suffixes for repeated names, as Buildbot.
 */
import { pythonStr } from "../buildfile/python-values.js";
import { getStepType } from "../buildfile/step-catalog.js";
import type { StepDef } from "../buildfile/types.js";

export const MAX_NAME_LENGTH = 50;

/** The step's name before interpolation: its own, else its type's default name (the step catalog's). */
export function rawStepName(step: StepDef): string {
  const name = step.params.name;
  if (name !== undefined && name !== null && name !== "") return truncateName(pythonStr(name));
  const byDefault = getStepType(step.type)?.defaultName ?? step.type;
  return typeof byDefault === "string" ? byDefault : truncateName(byDefault(step.params));
}

export function truncateName(name: string): string {
  if (name.length <= MAX_NAME_LENGTH) return name;
  const cut = name.slice(0, MAX_NAME_LENGTH);
  const open = cut.lastIndexOf("%(");
  return open >= 0 && !cut.slice(open).includes(")s") ? cut.slice(0, open) : cut;
}

/** Hands out unique names within one stage. */
export class StepNames {
  private readonly used = new Set<string>();

  unique(name: string): string {
    let candidate = name;
    for (let n = 1; this.used.has(candidate); n++) candidate = `${name}_${n}`;
    this.used.add(candidate);
    return candidate;
  }
}
