/** A `worker: {type: docker}` block (schemas/build-file.schema.json, definitions/dockerWorker). */
import type { WorkerSpec } from "../../buildfile/types.js";

export interface DockerWorkerSpec extends WorkerSpec {
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

export function isDockerWorkerSpec(spec: WorkerSpec): spec is DockerWorkerSpec {
  return spec.type === "docker";
}
