/**
 * The rules the schema cannot say: they relate several nodes (a branch naming
 * a stage, TriggerStages naming stages) or read values the way Eve's Python
 * does (`'False'` is true, `doStepIf` strings go through strtobool).
 * Runs on a value the schema accepted.
 */
import { getStepParameters } from "./build-file-schema.js";
import { checkStepPaths, checkWorkerPaths } from "./check-path-rules.js";
import { checkStepRules } from "./check-step-rules.js";
import { checkTriggerCycles } from "./check-trigger-cycles.js";
import type { RuleProblem, WorkerRules } from "./rule-problem.js";
import { KNOWN_STEP_TYPES, getStepType, unavailableReason, type StepNeed } from "./step-catalog.js";
import { toPointer, type YamlPositions } from "./yaml/yaml-positions.js";

type Mapping = Record<string, unknown>;

const STAGE_KEYS = ["worker", "steps", "simultaneous_builds"];

/**
 * `workerRules`: each worker type's rules for its `worker:` blocks (the registry of worker types has them).
 * `available`: the services of the installation the file will run on (step types needing others get a warning).
 */
export function checkBuildFileRules(root: Mapping, positions: YamlPositions, workerRules: WorkerRules, available: ReadonlySet<StepNeed> = new Set()): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const stages = isMapping(root.stages) ? root.stages : {};
  checkBranches(root, stages, positions, problems);
  for (const name of Object.keys(stages)) {
    const stage = stages[name];
    const pointer = toPointer(["stages", name]);
    if (name === "bootstrap") problems.push({ pointer, atKey: true, severity: "error", message: "'bootstrap' is a reserved stage name" });
    if (isMapping(stage)) checkStage(stage, pointer, stages, workerRules, available, problems);
  }
  problems.push(...checkTriggerCycles(root, stages, positions));
  return problems;
}

function checkBranches(root: Mapping, stages: Mapping, positions: YamlPositions, problems: RuleProblem[]): void {
  const branches = root.branches;
  if (!isMapping(branches)) return;
  for (const pattern of Object.keys(branches)) {
    const pointer = toPointer(["branches", pattern]);
    if (positions.child(branches, pattern)?.nonStringKey) {
      const message = `branch pattern '${pattern}' is not a string in YAML 1.1 (yes/no/on/off, numbers and null are not): quote it`;
      problems.push({ pointer, atKey: true, severity: "error", message });
    }
    const rule = branches[pattern];
    const stage = isMapping(rule) ? rule.stage : undefined;
    if (typeof stage === "string" && !Object.hasOwn(stages, stage)) {
      const message = `stage '${stage}' is not defined in stages: a build of a branch matching '${pattern}' fails`;
      problems.push({ pointer: `${pointer}/stage`, severity: "warning", message });
    }
  }
}

function checkStage(stage: Mapping, pointer: string, stages: Mapping, workerRules: WorkerRules, available: ReadonlySet<StepNeed>, problems: RuleProblem[]): void {
  for (const key of Object.keys(stage)) {
    const near = STAGE_KEYS.find((known) => known !== key && editDistance(known, key) <= 2);
    if (near) problems.push({ pointer: `${pointer}/${key}`, atKey: true, severity: "warning", message: `stage key '${key}' is ignored: did you mean '${near}'?` });
  }
  problems.push(...checkWorkerPaths(stage.worker, `${pointer}/worker`, workerRules));
  const limit = stage.simultaneous_builds;
  if (limit !== undefined && !Number.isInteger(limit)) {
    problems.push({ pointer: `${pointer}/simultaneous_builds`, severity: "warning", message: "simultaneous_builds is not an integer: it is ignored" });
  }
  if (!Array.isArray(stage.steps)) {
    if (stage.steps === undefined) problems.push({ pointer, atKey: true, severity: "warning", message: "stage has no steps" });
    return;
  }
  stage.steps.forEach((step: unknown, index) => {
    if (isMapping(step)) checkStep(step, `${pointer}/steps/${index}`, stages, available, problems);
  });
}

function checkStep(step: Mapping, pointer: string, stages: Mapping, available: ReadonlySet<StepNeed>, problems: RuleProblem[]): void {
  const [type, ...others] = Object.keys(step);
  if (type === undefined) {
    problems.push({ pointer, severity: "error", message: "a step must be a mapping with one key, its step type (e.g. ShellCommand)" });
    return;
  }
  const stepPointer = `${pointer}/${toPointer([type]).slice(1)}`;
  if (others.length > 0) {
    const message = `only the first key of a step is used ('${type}'); ${others.map((key) => `'${key}'`).join(", ")} ignored: check the indentation`;
    problems.push({ pointer: `${pointer}/${toPointer([others[0] ?? ""]).slice(1)}`, atKey: true, severity: "warning", message });
  }
  const info = getStepType(type);
  if (!info) {
    const near = KNOWN_STEP_TYPES.find((known) => editDistance(known.toLowerCase(), type.toLowerCase()) <= 2);
    const hint = near ? ` (did you mean ${near}?)` : "";
    const message = `unknown step type '${type}'${hint}; known step types: ${KNOWN_STEP_TYPES.join(", ")}`;
    problems.push({ pointer: stepPointer, atKey: true, severity: "error", message });
    return;
  }
  const unavailable = unavailableReason(type, available);
  if (unavailable !== undefined) {
    problems.push({ pointer: stepPointer, atKey: true, severity: "warning", message: `${unavailable} (the step fails)` });
  }
  const params = step[type];
  if (!isMapping(params)) return;
  // Buildbot refused a step with an unknown keyword argument (its config failed to
  // load); a warning let a typo like `timout` drop the limit silently.
  const known = getStepParameters(type);
  for (const name of Object.keys(params)) {
    if (known.has(name)) continue;
    const near = findClosest(name, [...known]);
    const message = `unknown parameter '${name}' for ${type}${near ? `: did you mean '${near}'?` : ""}`;
    problems.push({ pointer: `${stepPointer}/${toPointer([name]).slice(1)}`, atKey: true, severity: "error", message });
  }
  problems.push(...checkStepRules(type, params, stepPointer, stages));
  problems.push(...checkStepPaths(type, params, stepPointer));
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The known name closest to a misspelt one (case aside, at most 2 edits away), if any. */
function findClosest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(candidate.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance, for "did you mean" hints on short names. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
