/**
 * `validateBuildFile`: the whole check of one build file, as `eve lint` and
 * the app run it. Never throws on bad input: every problem is a located
 * message, and the BuildFile is returned only when there is no error.
 */
import { checkBuildFileRules } from "./check-build-file-rules.js";
import { checkBuildFileSchema } from "./build-file-schema.js";
import { checkPercentFormat } from "./check-percent-format.js";
import type { WorkerRules } from "./rule-problem.js";
import type { StepNeed } from "./step-catalog.js";
import { toBuildFile } from "./to-build-file.js";
import type { BuildFile, ValidationMessage } from "./types.js";
import { loadYaml } from "./yaml/load-yaml.js";
import { DEFAULT_YAML_LIMITS, type YamlLimits } from "./yaml/parse-yaml-document.js";
import type { SourcePosition } from "./yaml/yaml-positions.js";

export interface ValidateBuildFileResult {
  /** Undefined iff there is at least one error. */
  buildFile: BuildFile | undefined;
  messages: ValidationMessage[];
}

export interface ValidateOptions {
  /**
   * Each worker type's rules for its `worker:` blocks. This layer knows no
   * worker type: callers pass the registry's (WORKER_RULES in
   * src/provisioners/worker-types.ts); without them only the schema and the
   * rules common to every worker apply.
   */
  workerRules?: WorkerRules;
  /**
   * The services of the installation that will run the file (`eve lint` and
   * the app pass theirs); a step type needing another one is a warning.
   */
  available?: ReadonlySet<StepNeed>;
  limits?: Partial<YamlLimits>;
}

export function validateBuildFile(text: string, file: string, options: ValidateOptions = {}): ValidateBuildFileResult {
  const limits = options.limits ?? {};
  const messages: ValidationMessage[] = [];
  const add = (position: SourcePosition, severity: ValidationMessage["severity"], message: string, path = ""): void => {
    messages.push({ file, line: position.line, column: position.column, severity, message, path });
  };

  // Eve's `%` check runs on the raw text before parsing (within the size limit).
  const percent = text.length <= (limits.maxSize ?? DEFAULT_YAML_LIMITS.maxSize) ? checkPercentFormat(text) : undefined;
  if (percent) add(offsetPosition(text, percent.offset), "error", percent.message);
  const loaded = loadYaml(text, limits);
  if (loaded.problem) {
    add(loaded.problem, "error", loaded.problem.message);
    return { buildFile: undefined, messages };
  }

  for (const duplicate of loaded.duplicateKeys ?? []) add(duplicate, "warning", duplicate.message);
  const root = loaded.value;
  if (root === null || root === undefined) {
    add({ line: 1, column: 1 }, "error", "the build file is empty: it must define a mapping with 'branches' and 'stages'");
    return { buildFile: undefined, messages };
  }
  if (typeof root !== "object" || Array.isArray(root)) {
    add(loaded.positions.locate(root, ""), "error", "the build file must define a mapping (with 'branches' and 'stages')");
    return { buildFile: undefined, messages };
  }
  const locate = (pointer: string, atKey?: boolean): SourcePosition => loaded.positions.locate(root, pointer, atKey ? "key" : "value");
  const structural = checkBuildFileSchema(root);
  for (const problem of structural) add(locate(problem.pointer, problem.atKey), "error", problem.message, problem.pointer);
  // The rules read defensively, so they also run on a file with structural errors.
  for (const problem of checkBuildFileRules(root as Record<string, unknown>, loaded.positions, options.workerRules ?? new Map(), options.available)) {
    add(locate(problem.pointer, problem.atKey), problem.severity, problem.message, problem.pointer);
  }
  messages.sort((a, b) => a.line - b.line || a.column - b.column);
  const failed = messages.some((message) => message.severity === "error");
  return { buildFile: failed ? undefined : toBuildFile(root as Record<string, unknown>, loaded.positions), messages };
}

function offsetPosition(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
