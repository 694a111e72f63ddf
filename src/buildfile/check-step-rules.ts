/**
 * Rules on one step's parameters, read as Eve's step factory and Buildbot
 * read them (`eve/util/step_factory.py`, `eve/patch/remote_shell_command.py`).
 */
import { checkInterpolatedPercent } from "./check-percent-format.js";
import type { RuleProblem } from "./rule-problem.js";
import { getStepType } from "./step-catalog.js";
import { toPointer } from "./yaml/yaml-positions.js";

type Mapping = Record<string, unknown>;

/** Exactly one `%(prop|secret:name[:-default])s`: what Eve accepts in doStepIf/hideStepIf. */
const CONDITION = /^%\((?:prop|secret):[^:()]+(?::-[^()]*)?\)s$/;
/** Python's strtobool literals. */
const STRTOBOOL = /^(?:y|yes|t|true|on|1|n|no|f|false|off|0)$/i;
const FALSE_LITERAL = /^(?:n|no|f|false|off|0|none)$/i;
const INTERPOLATED = /prop:|secret:/;
const SECONDS = ["timeout", "maxTime", "sigtermTime"];
const FLAGS = [
  "haltOnFailure",
  "flunkOnFailure",
  "warnOnFailure",
  "flunkOnWarnings",
  "warnOnWarnings",
  "alwaysRun",
  "usePTY",
  "lazylogfiles",
  "waitForFinish",
  "retryFetch",
  "submodules",
];
/** Eve's MAX_STEP_DURATION default: the ceiling of timeout and maxTime. */
const MAX_STEP_DURATION = 14400;

export function checkStepRules(type: string, params: Mapping, pointer: string, stages: Mapping): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const at = (name: string): string => `${pointer}/${toPointer([name]).slice(1)}`;
  for (const name of ["doStepIf", "hideStepIf"]) {
    const value = params[name];
    if (typeof value === "string" && !CONDITION.test(value) && !STRTOBOOL.test(value)) {
      const message = `${name} must be a boolean or exactly one %(prop:name)s or %(prop:name:-default)s, not '${value}'`;
      problems.push({ pointer: at(name), severity: "error", message });
    }
  }
  for (const name of SECONDS) {
    const value = params[name];
    if (value === undefined) continue;
    if (typeof value === "number" ? !Number.isInteger(value) || value < 0 : typeof value === "string" && !/^\s*\d+\s*$/.test(value) && !INTERPOLATED.test(value)) {
      problems.push({ pointer: at(name), severity: "error", message: `${name} must be a whole number of seconds (or a %(prop:name)s)` });
    } else if (Number(value) > MAX_STEP_DURATION && name !== "sigtermTime" && getStepType(type)?.unboundedDuration !== true) {
      problems.push({ pointer: at(name), severity: "warning", message: `${name} ${String(value)} is above Eve's default maximum step duration (${MAX_STEP_DURATION} s)` });
    }
  }
  for (const name of FLAGS) {
    const value = params[name];
    if (typeof value === "string" && FALSE_LITERAL.test(value.trim())) {
      const message = `${name} is the string '${value}', which Eve reads as true (any non-empty string is): write ${name}: false`;
      problems.push({ pointer: at(name), severity: "warning", message });
    }
  }
  const triggers = getStepType(type)?.triggers;
  const triggered = triggers === undefined ? undefined : params[triggers];
  if (triggers !== undefined && Array.isArray(triggered)) {
    triggered.forEach((stage: unknown, index) => {
      if (typeof stage === "string" && !Object.hasOwn(stages, stage)) {
        problems.push({ pointer: `${at(triggers)}/${index}`, severity: "error", message: `${type} names stage '${stage}', which is not defined in stages` });
      }
    });
  }
  checkInterpolations(params, pointer, problems, new Set());
  return problems;
}

/** Strings Buildbot's Interpolate will format must hold only valid `%` sequences. */
function checkInterpolations(value: unknown, pointer: string, problems: RuleProblem[], seen: Set<object>): void {
  if (typeof value === "string") {
    if (!INTERPOLATED.test(value)) return;
    const problem = checkInterpolatedPercent(value);
    if (problem) problems.push({ pointer, severity: "error", message: `in a string with properties: ${problem.message}` });
    return;
  }
  // Aliased values are shared: check each once (and keep alias bombs cheap).
  if (typeof value !== "object" || value === null || seen.has(value)) return;
  seen.add(value);
  for (const [key, child] of Object.entries(value)) checkInterpolations(child, `${pointer}/${toPointer([key]).slice(1)}`, problems, seen);
}
