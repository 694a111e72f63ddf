/**
 * A validated yaml value → the BuildFile the engine runs, as Eve's
 * `ReadConfFromYaml` reads it: `version` as Python's `str()`, branch keys split
 * on commas in file order, stages by name. Step parameters stay as written
 * (not interpolated).
 */
import type { BranchRule, BuildFile, StageDef, StepDef, WorkerSpec } from "./types.js";
import { pythonFloatString } from "./yaml/python-scalars.js";
import { toPointer, type YamlPositions } from "./yaml/yaml-positions.js";

type Mapping = Record<string, unknown>;

export function toBuildFile(root: Mapping, positions: YamlPositions): BuildFile {
  return { version: versionString(root, positions), branches: branchRules(root.branches as Mapping, positions), stages: stageDefs(root.stages, positions) };
}

function versionString(root: Mapping, positions: YamlPositions): string {
  const version = root.version;
  if (!Object.hasOwn(root, "version")) return "0.1";
  if (typeof version === "number") return positions.child(root, "version")?.float ? pythonFloatString(version) : String(version);
  if (typeof version === "boolean") return version ? "True" : "False";
  if (version === null) return "None";
  return String(version);
}

/** Keys in file order: the positions map keeps yaml order even for keys like "1" that JS objects reorder. */
function keysInOrder(mapping: Mapping, positions: YamlPositions): string[] {
  const ordered = positions.childrenOf(mapping);
  return ordered ? [...ordered.keys()].filter((key) => Object.hasOwn(mapping, key)) : Object.keys(mapping);
}

function branchRules(branches: Mapping, positions: YamlPositions): BranchRule[] {
  // Python: new_branches[pattern.strip()] = conf — a repeated pattern keeps its first place, takes the last stage.
  const rules = new Map<string, string>();
  for (const key of keysInOrder(branches, positions)) {
    const stage = String((branches[key] as Mapping).stage);
    for (const piece of key.split(",")) rules.set(piece.trim(), stage);
  }
  return [...rules].map(([pattern, stage]) => ({ pattern, stage }));
}

function stageDefs(stages: unknown, positions: YamlPositions): Map<string, StageDef> {
  const result = new Map<string, StageDef>();
  if (typeof stages !== "object" || stages === null) return result;
  for (const name of keysInOrder(stages as Mapping, positions)) {
    const stage = (stages as Mapping)[name] as Mapping;
    const steps = Array.isArray(stage.steps) ? stage.steps : [];
    const def: StageDef = {
      name,
      worker: stage.worker as WorkerSpec,
      steps: steps.map((step: Mapping, index): StepDef => {
        const type = Object.keys(step)[0] ?? "";
        return { type, params: step[type] as Mapping, path: toPointer(["stages", name, "steps", index, type]) };
      }),
    };
    if (Number.isInteger(stage.simultaneous_builds)) def.simultaneousBuilds = stage.simultaneous_builds as number;
    result.set(name, def);
  }
  return result;
}
