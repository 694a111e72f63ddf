/** A problem found by a rule the schema cannot say, at a JSON pointer. */
export interface RuleProblem {
  pointer: string;
  severity: "error" | "warning";
  message: string;
  /** Point at the key of `pointer` rather than its value. */
  atKey?: boolean;
}

/**
 * The cross-field rules of one worker type's `worker:` block, which its schema
 * fragment cannot say. `worker` is the block as written (read defensively: it
 * may also have failed the schema), `pointer` its JSON pointer.
 */
export type WorkerRule = (worker: Readonly<Record<string, unknown>>, pointer: string) => RuleProblem[];

/** Worker rules by worker type, as the registry of worker types hands them to validation. */
export type WorkerRules = ReadonlyMap<string, WorkerRule>;
