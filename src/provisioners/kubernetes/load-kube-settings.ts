/**
 * kube_pod workers' settings from EVE_KUBE_*: the cluster access, the worker
 * namespace, the pod policy Eve enforces (Eve's KUBE_POD_* maxima, the node
 * affinity and tolerations set on every pod), the registry images are pushed
 * to, the timeouts, and the clusters offered to `service` stages.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { NodeAffinity } from "kubernetes-models/v1/NodeAffinity";
import type { Toleration } from "kubernetes-models/v1/Toleration";
import type { PodPolicy } from "./enforce-pod.js";
import { parseQuantity } from "./kube-quantity.js";
import { DEFAULT_KUBE_SETTINGS, type KubeSettings } from "./kube-settings.js";
import type { EnvReader } from "../../config/env-reader.js";
import { loadKubeAccess } from "./load-kube-access.js";
import { loadKubeServices } from "./load-kube-services.js";

export interface LoadKubeSettingsResult {
  settings: KubeSettings;
  /** Why the cluster cannot be reached with these settings; empty when it can. */
  accessProblems: string[];
}

export function loadKubeSettings(env: EnvReader, errors: string[]): LoadKubeSettingsResult {
  const { access, problems, namespace: impliedNamespace } = loadKubeAccess(env, errors);
  const namespace = env.read("EVE_KUBE_NAMESPACE") ?? impliedNamespace ?? DEFAULT_KUBE_SETTINGS.namespace;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) errors.push(`EVE_KUBE_NAMESPACE=${namespace}: expected a namespace name (lower-case letters, digits and dashes, ≤ 63)`);

  const registry = env.read("EVE_KUBE_REGISTRY");
  if (registry !== undefined && !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(registry)) {
    errors.push(`EVE_KUBE_REGISTRY=${registry}: expected a registry host and optional path, without scheme, e.g. registry.example.com/eve`);
  }

  const settings: KubeSettings = {
    ...DEFAULT_KUBE_SETTINGS,
    access,
    namespace,
    policy: loadPolicy(env, errors),
    registry,
    startTimeoutSeconds: env.integer("EVE_KUBE_START_TIMEOUT", DEFAULT_KUBE_SETTINGS.startTimeoutSeconds, 1),
    deleteGraceSeconds: env.integer("EVE_KUBE_DELETE_GRACE", DEFAULT_KUBE_SETTINGS.deleteGraceSeconds, 0),
    services: loadKubeServices(env.read("EVE_KUBE_SERVICES"), errors),
  };
  return { settings, accessProblems: problems };
}

function loadPolicy(env: EnvReader, errors: string[]): PodPolicy {
  const quantity = (name: string, fallback: string, example: string): string => {
    const value = env.read(name) ?? fallback;
    if (!((parseQuantity(value) ?? 0) > 0)) errors.push(`${name}=${value}: expected a Kubernetes quantity above 0, e.g. ${example}`);
    return value;
  };
  const policy: PodPolicy = {
    maxCpu: quantity("EVE_KUBE_MAX_CPU", DEFAULT_KUBE_SETTINGS.policy.maxCpu, "1 or 500m"),
    maxMemory: quantity("EVE_KUBE_MAX_MEMORY", DEFAULT_KUBE_SETTINGS.policy.maxMemory, "4G or 512Mi"),
    maxActiveDeadlineSeconds: env.integer("EVE_KUBE_ACTIVE_DEADLINE", DEFAULT_KUBE_SETTINGS.policy.maxActiveDeadlineSeconds, 1),
  };
  const nodeAffinity = readJson(env, "EVE_KUBE_NODE_AFFINITY", "a NodeAffinity object", errors, (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
    const { NodeAffinity: Model } = requireModel<{ NodeAffinity: typeof NodeAffinity }>("kubernetes-models/v1/NodeAffinity");
    new Model(value as never).validate();
    return undefined;
  });
  if (nodeAffinity !== undefined) policy.affinity = { nodeAffinity };
  const tolerations = readJson(env, "EVE_KUBE_TOLERATIONS", "a list of Toleration objects", errors, (value) => {
    if (!Array.isArray(value)) return "not a list";
    const { Toleration: Model } = requireModel<{ Toleration: typeof Toleration }>("kubernetes-models/v1/Toleration");
    for (const toleration of value) new Model(toleration as never).validate();
    return undefined;
  });
  if (tolerations !== undefined) policy.tolerations = tolerations as Record<string, unknown>[];
  return policy;
}

/**
 * A model of kubernetes-models, loaded only by the setting that needs it: with ajv and its formats
 * behind them, they cost ~70 ms of every start of Eve. Synchronous, as settings are read: a require
 * of the ES module (Node ≥ 20.19) by its path, as the package exports it to `import` only.
 */
function requireModel<T>(specifier: string): T {
  return createRequire(import.meta.url)(fileURLToPath(import.meta.resolve(specifier))) as T;
}

/** A JSON setting checked by `check` (a message, or a throw of Kubernetes' schema validation). */
function readJson(env: EnvReader, name: string, expected: string, errors: string[], check: (value: unknown) => string | undefined): unknown {
  const raw = env.read(name);
  if (raw === undefined) return undefined;
  let problem: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    problem = "not valid JSON";
  }
  try {
    problem ??= check(value);
  } catch (error) {
    problem = error instanceof Error ? error.message.replace(/\bdata\//g, "") : String(error);
  }
  if (problem === undefined) return value;
  errors.push(`${name}=${raw}: expected JSON of ${expected} (${problem})`);
  return undefined;
}
