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

export const WORKER_TYPES = ["local", "docker", "kube_pod", "openstack"] as const;
export type WorkerType = (typeof WORKER_TYPES)[number];

export interface LocalWorkerSpec {
  type: "local";
}

export interface DockerWorkerSpec {
  type: "docker";
  /** Build context directory in the repository. */
  path?: string;
  /** Dockerfile path (relative to the repository), inside or outside the context. */
  dockerfile?: string;
  /** Pre-built image; wins over `path`. Interpolated with properties. */
  image?: string;
  memory?: string;
  volumes?: string[];
}

export interface KubePodImage {
  context: string;
  dockerfile?: string;
}

export interface KubePodWorkerSpec {
  type: "kube_pod";
  /** Pod manifest template in the repository (Jinja2). */
  path: string;
  images?: Record<string, string | KubePodImage>;
  vars?: Record<string, unknown>;
  service?: { requests?: Record<string, unknown>; namespaces?: string[] };
}

export interface OpenStackWorkerSpec {
  type: "openstack";
  image: string;
  flavor: string;
  path?: string;
}

export type WorkerSpec = LocalWorkerSpec | DockerWorkerSpec | KubePodWorkerSpec | OpenStackWorkerSpec;

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
