/**
 * The Kubernetes part of the reaper: the instance's labelled pods and
 * kubeconfig secrets in the worker namespace, and its `service` namespaces on
 * the service clusters, whose stage run is over. They are selected by the
 * (sanitized) instance label and judged by the exact values in annotations.
 */
import { LABEL_KEYS, parseLabelMap } from "../labels.js";
import type { DeadRunJudge, OrphanSweeper, ReapedResource } from "../reaper.js";
import type { KubeClient, KubeObjectSummary } from "./kube-client.js";
import { kubeLabelValue } from "./kube-names.js";
import { deletePod } from "./kube-pod-lifecycle.js";

export interface KubeReaperOptions {
  /** The worker pods' cluster and namespace. */
  client: KubeClient;
  namespace: string;
  /** Clusters where `service` namespaces are created. */
  serviceClients: KubeClient[];
  deleteGraceMs: number;
}

export class KubeReaper implements OrphanSweeper {
  readonly #options: KubeReaperOptions;

  constructor(options: KubeReaperOptions) {
    this.#options = options;
  }

  async sweep(instance: string, isDead: DeadRunJudge): Promise<ReapedResource[]> {
    const { client, namespace, serviceClients, deleteGraceMs } = this.#options;
    const selector = `${LABEL_KEYS.instance}=${kubeLabelValue(instance)}`;
    const reaped: ReapedResource[] = [];
    const sweep = async (kind: ReapedResource["kind"], items: KubeObjectSummary[], remove: (name: string) => Promise<unknown>): Promise<void> => {
      for (const item of items) {
        const parsed = parseLabelMap(item.annotations);
        // Another instance whose name sanitizes alike is not ours.
        if (parsed.labels.instance !== instance || !(await isDead(parsed))) continue;
        const entry: ReapedResource = { kind, name: item.name, labels: parsed.labels };
        try {
          await remove(item.name);
        } catch (error) {
          entry.error = error instanceof Error ? error.message : String(error);
        }
        reaped.push(entry);
      }
    };
    await sweep("pod", await client.listPods(namespace, selector), (name) => deletePod({ client, namespace, name }, deleteGraceMs));
    await sweep("secret", await client.listSecrets(namespace, selector), (name) => client.deleteSecret(namespace, name));
    for (const service of serviceClients) await sweep("namespace", await service.listNamespaces(selector), (name) => service.deleteNamespace(name));
    return reaped;
  }
}
