/**
 * Stages that trigger each other in a cycle (a → a, a → b → a, …) never end:
 * each run starts the next one on a fresh worker, for ever. Eve accepted such
 * files and recursed until it was killed; here each cycle is an error naming
 * every stage and the line of every TriggerStages entry on the way round.
 *
 * Every name in `stage_names` must be a stage the file defines (check-step-rules.ts),
 * so a name built from a property (`%(prop:next)s`, which the engine would
 * interpolate) is refused by lint: the graph read from the file is the graph
 * that runs. The run-time limits (engine/trigger-limits.ts) bound the rest. A `doStepIf` on the trigger does
 * not make a cycle safe: children get a copy of the parent's properties, so a
 * condition true in the parent is true again in the child.
 */
import type { RuleProblem } from "./rule-problem.js";
import { getStepType } from "./step-catalog.js";
import { toPointer, type YamlPositions } from "./yaml/yaml-positions.js";

type Mapping = Record<string, unknown>;

/** One TriggerStages entry: `from` triggers `to`, written at `pointer`. */
interface TriggerEdge {
  from: string;
  to: string;
  pointer: string;
}

/** Cycles reported at most: a file with more has a few to fix first. */
const MAX_CYCLES = 20;
/** Edges named in one message, at most. */
const MAX_NAMED_EDGES = 12;

export function checkTriggerCycles(root: Mapping, stages: Mapping, positions: YamlPositions): RuleProblem[] {
  const edges = readTriggerEdges(stages);
  const line = (pointer: string): number => positions.locate(root, pointer).line;
  return findCycles(Object.keys(stages), edges).map((cycle) => {
    const shown = elide(cycle);
    const names = [...shown.map((edge) => (edge ? `'${edge.from}'` : "…")), `'${cycle[0]?.from ?? ""}'`].join(" → ");
    const where = shown.map((edge) => (edge ? `'${edge.from}' triggers '${edge.to}' at line ${line(edge.pointer)}` : "…")).join(", ");
    const message =
      cycle.length === 1
        ? `stage '${cycle[0]?.from ?? ""}' triggers itself (line ${line(cycle[0]?.pointer ?? "")}): it would start itself again for ever`
        : `stages trigger each other in a cycle ${names} (${where}): they would start each other for ever`;
    // Point at the entry that closes the cycle: the one that leads back to its first stage.
    return { pointer: cycle[cycle.length - 1]?.pointer ?? "", severity: "error", message };
  });
}

/** A long cycle is named by its first and last edges (a message is one readable line). */
function elide(cycle: TriggerEdge[]): (TriggerEdge | undefined)[] {
  return cycle.length <= MAX_NAMED_EDGES ? cycle : [...cycle.slice(0, MAX_NAMED_EDGES - 2), undefined, ...cycle.slice(-2)];
}

function readTriggerEdges(stages: Mapping): Map<string, TriggerEdge[]> {
  const edges = new Map<string, TriggerEdge[]>();
  for (const [name, stage] of Object.entries(stages)) {
    const steps = isMapping(stage) && Array.isArray(stage.steps) ? stage.steps : [];
    const out: TriggerEdge[] = [];
    steps.forEach((step: unknown, index) => {
      // Only the first key of a step is its type (a second one is ignored, with a warning).
      const type = isMapping(step) ? Object.keys(step)[0] : undefined;
      const param = type === undefined ? undefined : getStepType(type)?.triggers;
      const params = type === undefined || !isMapping(step) ? undefined : step[type];
      const targets = param === undefined || !isMapping(params) ? undefined : params[param];
      if (type === undefined || param === undefined || !Array.isArray(targets)) return;
      targets.forEach((target: unknown, at) => {
        if (typeof target === "string" && Object.hasOwn(stages, target)) {
          out.push({ from: name, to: target, pointer: toPointer(["stages", name, "steps", index, type, param, at]) });
        }
      });
    });
    edges.set(name, out);
  }
  return edges;
}

/**
 * Every elementary cycle closed by a back edge of a depth-first walk: each
 * back edge is reported once, with the path on the walk's stack that it closes.
 * That names every cycle that must be broken without enumerating all of them
 * (their number can grow exponentially with the stages).
 */
function findCycles(names: string[], edges: Map<string, TriggerEdge[]>): TriggerEdge[][] {
  const cycles: TriggerEdge[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: TriggerEdge[] = [];
  const onPath = new Map<string, number>();

  // Iterative, so a chain of thousands of stages cannot overflow the stack.
  for (const start of names) {
    if (state.has(start)) continue;
    const stack: { name: string; next: number }[] = [{ name: start, next: 0 }];
    state.set(start, "open");
    onPath.set(start, 0);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { name: string; next: number };
      const edge = edges.get(frame.name)?.[frame.next++];
      if (!edge) {
        state.set(frame.name, "done");
        onPath.delete(frame.name);
        stack.pop();
        path.pop();
        continue;
      }
      const seen = state.get(edge.to);
      if (seen === "open") {
        if (cycles.length < MAX_CYCLES) cycles.push([...path.slice(onPath.get(edge.to) ?? 0), edge]);
      } else if (seen === undefined) {
        state.set(edge.to, "open");
        onPath.set(edge.to, path.length + 1);
        path.push(edge);
        stack.push({ name: edge.to, next: 0 });
      }
    }
  }
  return cycles;
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
