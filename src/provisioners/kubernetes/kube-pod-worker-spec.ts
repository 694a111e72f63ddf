/** A `worker: {type: kube_pod}` block (schemas/build-file.schema.json, definitions/kubePodWorker). */
import type { WorkerSpec } from "../../buildfile/types.js";

export interface KubePodImage {
  context: string;
  dockerfile?: string;
}

export interface KubePodWorkerSpec extends WorkerSpec {
  type: "kube_pod";
  /** Pod manifest template in the repository (Jinja2). */
  path: string;
  images?: Record<string, string | KubePodImage>;
  vars?: Record<string, unknown>;
  service?: { requests?: Record<string, unknown>; namespaces?: string[] };
}

export function isKubePodWorkerSpec(spec: WorkerSpec): spec is KubePodWorkerSpec {
  return spec.type === "kube_pod";
}
