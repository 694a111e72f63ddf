/**
 * Loads yaml text the way Eve's PyYAML `yaml.load` did (YAML 1.1), keeping
 * the line and column of every node. Never throws on bad input: a syntax
 * error, a hostile document or a limit reached becomes a located problem.
 */
import type { LineCounter } from "yaml";
import { ConstructionError, YamlConstructor } from "./construct-yaml.js";
import { DEFAULT_YAML_LIMITS, parseYamlDocument, type YamlLimits } from "./parse-yaml-document.js";
import { YamlPositions, type SourcePosition } from "./yaml-positions.js";

/** A problem that stopped loading, at its place in the text. */
export interface YamlProblem extends SourcePosition {
  message: string;
}

/** The loaded value and where each of its nodes was written. */
export interface LoadedYaml {
  /** The document's value; undefined when loading failed, null for an empty stream. */
  value: unknown;
  positions: YamlPositions;
  problem?: YamlProblem;
  /** Keys written twice in one mapping: legal (the later wins, as in PyYAML) but most likely a mistake. */
  duplicateKeys?: YamlProblem[];
}

export function loadYaml(text: string, limits: Partial<YamlLimits> = {}): LoadedYaml {
  const settings = { ...DEFAULT_YAML_LIMITS, ...limits };
  const parsed = parseYamlDocument(text, settings);
  const locate = locator(parsed.lineCounter);
  if (!parsed.document) {
    const positions = new YamlPositions({ line: 1, column: 1 });
    if (!parsed.problem) return { value: null, positions };
    return { value: undefined, positions, problem: { ...locate(parsed.problem.offset), message: parsed.problem.message } };
  }
  const contents = parsed.document.contents;
  const positions = new YamlPositions(locate(contents?.range[0] ?? 0));
  try {
    const constructor = new YamlConstructor(positions, locate, settings.maxDepth, settings.maxNodes);
    const value = constructor.construct(contents).value;
    return { value, positions, duplicateKeys: constructor.duplicateKeys };
  } catch (error) {
    if (error instanceof ConstructionError) {
      const where = typeof error.where === "number" ? locate(error.where) : error.where;
      return { value: undefined, positions, problem: { ...where, message: error.message } };
    }
    // A stack overflow on some input the depth guards did not foresee is still bad input.
    if (error instanceof RangeError) return { value: undefined, positions, problem: { line: 1, column: 1, message: "yaml nesting is too deep" } };
    throw error;
  }
}

function locator(lineCounter: LineCounter): (offset: number) => SourcePosition {
  return (offset) => {
    if (lineCounter.lineStarts.length === 0) return { line: 1, column: 1 };
    const { line, col } = lineCounter.linePos(Math.max(0, offset));
    return { line, column: col };
  };
}
