/**
 * What `eve lint` can tell about paths without the repository at hand.
 *
 * Repository paths are read on the Eve host: absolute paths and `..` are
 * errors, as the provisioners refuse them (links are checked there). A
 * worker's `path`, whatever its type, names a place in the repository; the
 * other paths of a `worker:` block are checked by its worker type's rules
 * (given by the caller: this layer knows no worker type), with
 * `checkRepositoryPathAt`.
 *
 * Worker paths (`workdir`, `Upload` `source`, `logfiles`) name places inside
 * the worker, so absolute ones are legal, as in Eve (`workdir: /tmp`,
 * `/artifacts/s3.log` in the corpus). A relative one that climbs above the
 * builder directory with `..` gets a warning: on a `local` worker it reaches
 * other stages' directories.
 */
import { checkRepositoryPath, climbsOut } from "./check-repository-path.js";
import type { RuleProblem, WorkerRules } from "./rule-problem.js";
import { getStepType } from "./step-catalog.js";
import { toPointer } from "./yaml/yaml-positions.js";

type Mapping = Record<string, unknown>;

/** The worker's `path`, then its type's own rules. */
export function checkWorkerPaths(worker: unknown, pointer: string, rules: WorkerRules): RuleProblem[] {
  if (!isMapping(worker)) return [];
  const problems: RuleProblem[] = [];
  const path = checkRepositoryPathAt(worker.path, `${pointer}/path`, "path");
  if (path) problems.push(path);
  const rule = typeof worker.type === "string" ? rules.get(worker.type) : undefined;
  if (rule) problems.push(...rule(worker, pointer));
  return problems;
}

/** An error when `value`, a string naming `what` in the repository, cannot name a place in it. */
export function checkRepositoryPathAt(value: unknown, pointer: string, what: string): RuleProblem | undefined {
  if (typeof value !== "string") return undefined;
  const problem = checkRepositoryPath(value);
  return problem ? { pointer, severity: "error", message: `${what} '${value}' ${problem}` } : undefined;
}

export function checkStepPaths(type: string, params: Mapping, pointer: string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const workerPath = (value: unknown, where: string, what: string): void => {
    if (typeof value === "string" && climbsOut(value)) {
      problems.push({ pointer: where, severity: "warning", message: `${what} '${value}' climbs above the builder directory with '..'` });
    }
  };
  const at = (...segments: (string | number)[]): string => `${pointer}${toPointer(segments)}`;
  workerPath(params.workdir, at("workdir"), "workdir");
  for (const name of getStepType(type)?.workerPaths ?? []) workerPath(params[name], at(name), name);
  if (isMapping(params.logfiles)) {
    for (const [name, file] of Object.entries(params.logfiles)) {
      const filename = isMapping(file) ? file.filename : file;
      workerPath(filename, isMapping(file) ? at("logfiles", name, "filename") : at("logfiles", name), "logfile");
    }
  }
  return problems;
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
