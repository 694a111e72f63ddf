/**
 * The stand-in API server checks what it receives as a real one does: the
 * object against Kubernetes' OpenAPI schema (kubernetes-models), the names
 * and label values against Kubernetes' syntax rules, and some of a pod's
 * semantic checks (container names, requests within limits).
 */
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { TokenRequest } from "kubernetes-models/authentication.k8s.io/v1/TokenRequest";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Pod } from "kubernetes-models/v1/Pod";
import { Secret } from "kubernetes-models/v1/Secret";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { parseQuantity } from "../../../src/provisioners/kubernetes/kube-quantity.js";

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Pod, Namespace, Secret, ServiceAccount, Role, RoleBinding, TokenRequest,
};
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why the object is invalid, or undefined. */
export function validateObject(kind: string, object: Record<string, unknown>): string | undefined {
  const Model = MODELS[kind];
  if (!Model) return `the stand-in does not know kind ${kind}`;
  if (object.kind !== undefined && object.kind !== kind) return `kind ${String(object.kind)} sent to the ${kind} endpoint`;
  try {
    new Model({ ...object, kind } as never).validate();
  } catch (error) {
    return `${kind} is invalid: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (kind === "TokenRequest") return undefined;
  const metadata = (object.metadata ?? {}) as { name?: unknown; labels?: Record<string, unknown> };
  const name = String(metadata.name ?? "");
  const nameRule = kind === "Namespace" || kind === "Pod" ? DNS_LABEL : DNS_SUBDOMAIN;
  if (!nameRule.test(name) || name.length > (nameRule === DNS_LABEL ? 63 : 253)) return `metadata.name: Invalid value: "${name}"`;
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value)) return `metadata.labels: Invalid value: "${String(value)}" (label ${key})`;
  }
  const invalid = kind === "Pod" ? validatePodSpec((object.spec ?? {}) as Record<string, unknown>) : undefined;
  return invalid && `Pod "${name}" is invalid: ${invalid}`;
}

/** A few of the API server's pod checks beyond the schema, in its words: container names, requests within limits. */
function validatePodSpec(spec: Record<string, unknown>): string | undefined {
  const seen = new Set<string>();
  for (const list of ["initContainers", "containers"]) {
    for (const [i, container] of ((spec[list] ?? []) as { name: string; resources?: Record<string, Record<string, unknown> | undefined> }[]).entries()) {
      const field = `spec.${list}[${i}]`;
      if (!DNS_LABEL.test(container.name) || container.name.length > 63) return `${field}.name: Invalid value: "${container.name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`;
      if (seen.has(container.name)) return `${field}.name: Duplicate value: "${container.name}"`;
      seen.add(container.name);
      for (const [resource, request] of Object.entries(container.resources?.requests ?? {})) {
        const limit = container.resources?.limits?.[resource];
        if (limit !== undefined && (parseQuantity(request) ?? 0) > (parseQuantity(limit) ?? Infinity)) {
          return `${field}.resources.requests: Invalid value: "${String(request)}": must be less than or equal to ${resource} limit of ${String(limit)}`;
        }
      }
    }
  }
  return undefined;
}
