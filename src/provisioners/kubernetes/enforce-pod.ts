/**
 * What Scality's Eve enforced on a rendered pod template, then Eve's own
 * additions: `kind: Pod`, `restartPolicy: Never`, no `affinity` (the
 * operator's is set), cpu and memory requests and limits on every container,
 * each and in total within the operator's maxima, a capped
 * `activeDeadlineSeconds`, Eve's name, labels and environment, the worker
 * container turned idle (steps are exec'd into it), property and secret
 * interpolation last, and the result checked against Kubernetes' schema.
 * Pure: every violation is a message quoting the offending field.
 */
import type { IPod } from "kubernetes-models/v1/Pod";
import { Pod } from "kubernetes-models/v1/Pod";
import { parseAllDocuments } from "yaml";
import { needsInterpolation } from "../../buildfile/interpolate.js";
import { parseQuantity } from "./kube-quantity.js";

export interface PodPolicy {
  /** Ceiling of each container's and the pod's total cpu (KUBE_POD_MAX_CPU, default "1"). */
  maxCpu: string;
  /** Same for memory (KUBE_POD_MAX_MEMORY, default "4G"). */
  maxMemory: string;
  /** Ceiling and default of activeDeadlineSeconds (KUBE_POD_ACTIVE_DEADLINE, default 86400). */
  maxActiveDeadlineSeconds: number;
  /** The operator's node affinity and tolerations, set on every pod. */
  affinity?: Record<string, unknown>;
  tolerations?: Record<string, unknown>[];
}

export interface EnforceOptions {
  policy: PodPolicy;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Added to every container, replacing entries of the same name. */
  env: Record<string, string>;
  /** Volumes added to the pod and mounted into every container (the service kubeconfig). */
  volumes?: { volume: Record<string, unknown>; mountPath: string }[];
  interpolate: (value: string) => string;
}

export type EnforceResult = { ok: true; pod: IPod; workerContainer: string } | { ok: false; message: string };

/** The worker container's command: idles, and exits at once on SIGTERM (it is PID 1). */
export const IDLE_COMMAND = ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

type Obj = Record<string, unknown>;
type Container = Obj & { name: string };

export function enforcePod(text: string, options: EnforceOptions): EnforceResult {
  try {
    const pod = parsePod(text);
    const spec = pod.spec as Obj;
    const containers = spec.containers as Container[];
    checkPolicy(spec, containers, options.policy);
    const worker = containers.find((c) => commandText(c).trimStart().includes("buildbot-worker")) ?? containers[0];
    if (!worker) throw new Violation("spec.containers must list at least one container");
    worker.command = IDLE_COMMAND;
    delete worker.args;

    pod.metadata = { ...(isObj(pod.metadata) ? pod.metadata : {}), name: options.name };
    const metadata = pod.metadata as Obj;
    delete metadata.namespace;
    delete metadata.generateName;
    metadata.labels = { ...(isObj(metadata.labels) ? metadata.labels : {}), ...options.labels };
    metadata.annotations = { ...(isObj(metadata.annotations) ? metadata.annotations : {}), ...options.annotations };
    for (const container of [...containers, ...((spec.initContainers as Container[] | undefined) ?? [])]) addEnvironment(container, options);
    for (const { volume } of options.volumes ?? []) spec.volumes = [...((spec.volumes as Obj[] | undefined) ?? []), volume];

    const interpolated = interpolateStrings(pod, options.interpolate) as IPod;
    const schemaError = validateSchema(interpolated);
    if (schemaError) throw new Violation(`the pod does not match Kubernetes' schema: ${schemaError}`);
    // The name as the cluster sees it: a `%(prop:…)s` in it is interpolated too.
    const workerName = interpolated.spec?.containers[containers.indexOf(worker)]?.name ?? worker.name;
    return { ok: true, pod: interpolated, workerContainer: workerName };
  } catch (error) {
    if (error instanceof Violation) return { ok: false, message: `pod template: ${error.message}` };
    return { ok: false, message: `pod template: ${error instanceof Error ? error.message : String(error)}` };
  }
}

class Violation extends Error {}

function parsePod(text: string): Obj {
  const docs = parseAllDocuments(text).filter((doc) => doc.contents !== null);
  if (docs.length !== 1) throw new Violation(`the rendered template must hold one YAML document, not ${docs.length}`);
  const [doc] = docs;
  if (doc?.errors[0]) throw new Violation(`the rendered template is not valid YAML: ${doc.errors[0].message}`);
  const pod: unknown = doc?.toJS({ maxAliasCount: 100 });
  if (!isObj(pod)) throw new Violation("the rendered template must be a YAML mapping");
  if (pod.kind !== "Pod") throw new Violation(`kind must be 'Pod', not '${String(pod.kind)}'`);
  if (pod.apiVersion !== "v1") throw new Violation(`apiVersion must be 'v1', not '${String(pod.apiVersion)}'`);
  if (!isObj(pod.spec)) throw new Violation("spec must be a mapping");
  const containers = pod.spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw new Violation("spec.containers must list at least one container");
  containers.forEach((c, i) => {
    if (!isObj(c) || typeof c.name !== "string") throw new Violation(`spec.containers[${i}] must be a mapping with a name`);
  });
  return pod;
}

function checkPolicy(spec: Obj, containers: Container[], policy: PodPolicy): void {
  if (spec.restartPolicy === undefined) spec.restartPolicy = "Never";
  else if (spec.restartPolicy !== "Never") throw new Violation(`spec.restartPolicy must be 'Never', not '${String(spec.restartPolicy)}'`);
  if (spec.affinity !== undefined) throw new Violation("spec.affinity is not allowed (this Eve's operator sets node affinity)");
  if (policy.affinity) spec.affinity = policy.affinity;
  if (policy.tolerations) spec.tolerations = [...((spec.tolerations as Obj[] | undefined) ?? []), ...policy.tolerations];

  const deadline = spec.activeDeadlineSeconds;
  if (deadline === undefined) spec.activeDeadlineSeconds = policy.maxActiveDeadlineSeconds;
  else if (typeof deadline !== "number" || !Number.isInteger(deadline) || deadline <= 0) throw new Violation(`spec.activeDeadlineSeconds '${String(deadline)}' must be a positive integer`);
  else if (deadline > policy.maxActiveDeadlineSeconds) throw new Violation(`spec.activeDeadlineSeconds ${deadline} is above this Eve's maximum of ${policy.maxActiveDeadlineSeconds}`);

  for (const [resource, max] of [["cpu", policy.maxCpu], ["memory", policy.maxMemory]] as const) {
    const maximum = parseQuantity(max);
    if (maximum === undefined) throw new Violation(`the operator's maximum ${resource} '${max}' is not a Kubernetes quantity`);
    for (const kind of ["requests", "limits"] as const) {
      let total = 0;
      containers.forEach((container, i) => {
        const field = `spec.containers[${i}].resources.${kind}.${resource}`;
        const resources = isObj(container.resources) ? container.resources : {};
        const values = isObj(resources[kind]) ? (resources[kind] as Obj) : {};
        if (values[resource] === undefined) throw new Violation(`${field} is required (container '${container.name}')`);
        const value = parseQuantity(values[resource]);
        if (value === undefined) throw new Violation(`${field} '${String(values[resource])}' is not a Kubernetes quantity`);
        if (value > maximum) throw new Violation(`${field} '${String(values[resource])}' is above this Eve's maximum of ${max}`);
        total += value;
      });
      if (total > maximum * (1 + 1e-9)) throw new Violation(`the pod's total ${resource} ${kind} (${formatTotal(total, resource)}) are above this Eve's maximum of ${max}`);
    }
    // Init containers run one at a time before the others, so each counts alone; Eve's templates leave them without resources.
    ((Array.isArray(spec.initContainers) ? spec.initContainers : []) as Obj[]).forEach((container, i) => {
      for (const kind of ["requests", "limits"] as const) {
        const values = isObj(container.resources) && isObj(container.resources[kind]) ? (container.resources[kind] as Obj) : {};
        if (values[resource] === undefined) continue;
        const field = `spec.initContainers[${i}].resources.${kind}.${resource}`;
        const value = parseQuantity(values[resource]);
        if (value === undefined) throw new Violation(`${field} '${String(values[resource])}' is not a Kubernetes quantity`);
        if (value > maximum) throw new Violation(`${field} '${String(values[resource])}' is above this Eve's maximum of ${max}`);
      }
    });
  }
}

function addEnvironment(container: Container, options: EnforceOptions): void {
  const names = new Set(Object.keys(options.env));
  const kept = (Array.isArray(container.env) ? (container.env as Obj[]) : []).filter((entry) => !names.has(String(entry.name)));
  container.env = [...kept, ...Object.entries(options.env).map(([name, value]) => ({ name, value }))];
  if (options.volumes?.length) {
    const mounts = Array.isArray(container.volumeMounts) ? (container.volumeMounts as Obj[]) : [];
    container.volumeMounts = [...mounts, ...options.volumes.map(({ volume, mountPath }) => ({ name: volume.name, mountPath, readOnly: true }))];
  }
}

function commandText(container: Container): string {
  const parts = [...(Array.isArray(container.command) ? container.command : []), ...(Array.isArray(container.args) ? container.args : [])];
  return parts.map(String).join(" ");
}

function interpolateStrings(value: unknown, interpolate: (value: string) => string): unknown {
  if (typeof value === "string") return needsInterpolation(value) ? interpolate(value) : value;
  if (Array.isArray(value)) return value.map((item) => interpolateStrings(item, interpolate));
  if (isObj(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateStrings(item, interpolate)]));
  return value;
}

function validateSchema(pod: IPod): string | undefined {
  try {
    new Pod(pod).validate();
    return undefined;
  } catch (error) {
    const errors = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
    const first = errors?.[0];
    if (first) return `${(first.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".") || "pod"} ${first.message ?? "is invalid"}`;
    return error instanceof Error ? error.message : String(error);
  }
}

function formatTotal(total: number, resource: "cpu" | "memory"): string {
  return resource === "cpu" ? `${Math.round(total * 1000)}m` : `${total} bytes`;
}

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
