/**
 * Operator settings of kube_pod workers (Eve's KUBE_POD_* settings, the three
 * ways Buildbot's KubeLatentWorker reached a cluster, the registry images are
 * pushed to, and the clusters offered to stages that ask for a `service`).
 */
import type { PodPolicy } from "./enforce-pod.js";

/** How Eve reaches a cluster. */
export type KubeClusterAccess =
  /** The service account of the pod Eve runs in. */
  | { mode: "in-cluster" }
  /** A kubeconfig file; its current context unless `context` is given. */
  | { mode: "kubeconfig"; path: string; context?: string }
  /** An API server URL and a bearer token. */
  | { mode: "token"; server: string; token: string; caFile?: string; skipTlsVerify?: boolean };

/** An external cluster offered to stages with `service` (Eve's EVE-887). */
export interface KubeServiceCluster {
  /** Matched against the stage's `service.requests` (name, version, …): every requested key must be equal. */
  attributes: Record<string, string>;
  access: KubeClusterAccess;
  /** API server URL written into the pods' kubeconfig (as pods reach it); default: the access URL. */
  server?: string;
  /** PEM CA of that server for the pods' kubeconfig, base64; default: the access's CA. */
  caData?: string;
  /** Write `insecure-skip-tls-verify` into the pods' kubeconfig (needed for a plain-HTTP server); default: the access's setting. */
  skipTlsVerify?: boolean;
}

export interface KubeSettings {
  access: KubeClusterAccess;
  /** Namespace of the worker pods (KUBE_POD_NAMESPACE). */
  namespace: string;
  policy: PodPolicy;
  /** Registry that images are pushed to and pulled from by the cluster, e.g. `registry.example.com/eve`. */
  registry: string | undefined;
  /** How long a pod may take to reach Running before the stage fails. */
  startTimeoutSeconds: number;
  /** How long a deleted pod may linger before it is force-deleted (Eve: 240). */
  deleteGraceSeconds: number;
  /** The builder directory inside the worker container; steps default to `<builderDir>/build`. */
  builderDir: string;
  /** External clusters for `service`; empty → stages with `service` fail. */
  services: KubeServiceCluster[];
}

export const DEFAULT_KUBE_SETTINGS: KubeSettings = {
  access: { mode: "in-cluster" },
  namespace: "default",
  policy: { maxCpu: "1", maxMemory: "4G", maxActiveDeadlineSeconds: 86400 },
  registry: undefined,
  startTimeoutSeconds: 600,
  deleteGraceSeconds: 240,
  builderDir: "/home/eve/workspace",
  services: [],
};
