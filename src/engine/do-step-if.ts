/**
 * `doStepIf` as Eve accepts it: a yaml boolean, a yes/no word, or exactly one
 * `%(prop|secret:name[:-default])s` whose value is read with Python's
 * `strtobool` (EVE-1104, EVE-1141). Anything else makes the step error.
 */
import { interpolate, needsInterpolation, type InterpolationSource } from "../buildfile/interpolate.js";
import { pythonStr, pythonTruthy, strtobool } from "../buildfile/python-values.js";
import { StepConfigError } from "./step-options.js";

const SINGLE_LOOKUP = /^%\((?:prop|secret):[\w.-]+(?::-[^()]*)?\)s$/;

export function evaluateDoStepIf(raw: unknown, source: InterpolationSource, name = "doStepIf"): boolean {
  if (typeof raw !== "string") return pythonTruthy(raw);
  let text = raw;
  if (needsInterpolation(raw)) {
    if (!SINGLE_LOOKUP.test(raw.trim())) {
      throw new StepConfigError(`${name} must be a boolean or one '%(prop:name:-default)s', not '${raw}'`);
    }
    text = interpolate(raw.trim(), source);
  }
  const value = strtobool(text.trim());
  if (value === undefined) throw new StepConfigError(`${name}: '${pythonStr(text)}' is not a yes/no value (from '${raw}')`);
  return value;
}
