/**
 * The parsed, validated build file. `schemas/build-file.schema.json` is the
 * source of truth for its structure; these types mirror it.
 */

/** A problem found in a build file, located at the yaml node that causes it. */
export interface ValidationMessage {
  file: string;
  /** 1-based line of the offending node. */
  line: number;
  /** 1-based column of the offending node. */
  column: number;
  severity: "error" | "warning";
  message: string;
  /** JSON pointer of the offending value, "" for the whole file. */
  path: string;
}

/**
 * The name of a worker type (`local`, `docker`, …). This layer knows none of
 * them: the registry of worker types (src/provisioners/worker-types.ts) lists
 * them, and the schema's `worker` definition checks a file against them.
 */
export type WorkerType = string;

/**
 * A stage's `worker:` block as the schema accepted it. Each worker type's own
 * folder has its exact shape (e.g. DockerWorkerSpec) and narrows to it.
 */
export interface WorkerSpec {
  type: WorkerType;
  [key: string]: unknown;
}

/** One step as written: `{ StepType: { params } }`. Params are not yet interpolated. */
export interface StepDef {
  type: string;
  params: Record<string, unknown>;
  /** JSON pointer of the step in the file, for messages. */
  path: string;
}

export interface StageDef {
  name: string;
  worker: WorkerSpec;
  steps: StepDef[];
  /** Cap on concurrently running builds of this stage; undefined = no cap. */
  simultaneousBuilds?: number;
}

/** One pattern of the `branches` map, in file order. */
export interface BranchRule {
  /** A single fnmatch pattern (keys are split on commas). */
  pattern: string;
  stage: string;
}

export interface BuildFile {
  /** `str()` of the yaml `version`; "0.1" when absent. */
  version: string;
  branches: BranchRule[];
  /** Stage definitions by name. A Map: stage names are free strings (even "__proto__"). */
  stages: Map<string, StageDef>;
}
