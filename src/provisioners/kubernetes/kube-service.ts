/**
 * `service` of a kube_pod stage (Eve's EVE-887): namespaces created for the
 * stage run on an external cluster the operator offers, a service account
 * allowed everything in those namespaces and nothing elsewhere, and a
 * kubeconfig with its token mounted into every container of the worker pod
 * (KUBECONFIG). One property per requested namespace carries its real name.
 * Everything is deleted at teardown (and found by the reaper by its labels).
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { ProvisionError, type ResourceLabels } from "../types.js";
import { KubeClient } from "./kube-client.js";
import { kubeMetadata, kubeName } from "./kube-names.js";
import type { KubeServiceCluster } from "./kube-settings.js";

const ACCOUNT = "eve-service";
export const KUBECONFIG_DIR = "/var/run/eve/kube";

export interface ServiceRequest {
  requests?: Record<string, unknown>;
  namespaces?: string[];
}

export interface ServiceAccess {
  /** Requested name → real namespace name. */
  properties: Record<string, string>;
  /** The kubeconfig the pods get. */
  kubeconfig: string;
  /** Deletes the namespaces; idempotent. */
  teardown(): Promise<void>;
}

export function findServiceCluster(services: readonly KubeServiceCluster[], request: ServiceRequest): KubeServiceCluster | string {
  const wanted = Object.entries(request.requests ?? {});
  const found = services.find((service) => wanted.every(([key, value]) => Object.hasOwn(service.attributes, key) && service.attributes[key] === String(value)));
  if (found) return found;
  if (services.length === 0) return "this Eve provides no Kubernetes cluster for `service`";
  return `no Kubernetes cluster of this Eve matches the service requests ${JSON.stringify(request.requests ?? {})}`;
}

export async function createServiceAccess(cluster: KubeServiceCluster, request: ServiceRequest, labels: ResourceLabels, tokenSeconds: number, log: (line: string) => void): Promise<ServiceAccess> {
  const client = new KubeClient(cluster.access);
  const requested = request.namespaces?.length ? request.namespaces : ["namespace"];
  const properties: Record<string, string> = {};
  for (const name of requested) properties[name] = serviceNamespace(labels.run, name);
  const created: string[] = [];
  const teardown = async (): Promise<void> => {
    for (const namespace of created.splice(0)) await client.deleteNamespace(namespace);
  };
  try {
    const metadata = kubeMetadata(labels);
    const namespaces = Object.values(properties);
    for (const namespace of namespaces) {
      await client.createNamespace(namespace, metadata.labels, metadata.annotations);
      created.push(namespace);
      log(`eve: created namespace ${namespace}`);
    }
    const home = namespaces[0] ?? "";
    await client.createServiceAccount(home, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: ACCOUNT, labels: metadata.labels } });
    for (const namespace of namespaces) {
      const meta = { name: ACCOUNT, labels: metadata.labels };
      await client.createRole(namespace, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] });
      await client.createRoleBinding(namespace, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: meta,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: ACCOUNT },
        subjects: [{ kind: "ServiceAccount", name: ACCOUNT, namespace: home }],
      });
    }
    const token = await client.requestToken(home, ACCOUNT, tokenSeconds);
    const server = cluster.server ?? client.cluster.server;
    const caData = cluster.caData ?? client.cluster.caData;
    const insecure = cluster.skipTlsVerify ?? client.cluster.skipTlsVerify;
    return { properties, kubeconfig: renderKubeconfig({ server, ...(caData ? { "certificate-authority-data": caData } : {}), ...(insecure ? { "insecure-skip-tls-verify": true } : {}) }, token, namespaces), teardown };
  } catch (error) {
    await teardown().catch(() => undefined);
    throw error instanceof ProvisionError ? error : new ProvisionError("creating the service namespaces failed", { cause: error });
  }
}

/** `eve-<requested>-<hash of run and requested>`: unique per stage run, recognisable by name. */
export function serviceNamespace(run: string, requested: string): string {
  const hash = createHash("sha256").update(`${run}\0${requested}`).digest("hex").slice(0, 12);
  return kubeName("eve", `${requested.toLowerCase().replace(/[^a-z0-9-]+/g, "-").slice(0, 30)}-${hash}`.replace(/^-+/, ""));
}

function renderKubeconfig(cluster: Record<string, unknown>, token: string, namespaces: string[]): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "service", cluster }],
    users: [{ name: "eve", user: { token } }],
    contexts: namespaces.map((namespace) => ({ name: namespace, context: { cluster: "service", user: "eve", namespace } })),
    "current-context": namespaces[0],
  });
}
