/**
 * `type: kube_pod`: a pod per stage run, from the repository's template, on
 * the cluster of the EVE_KUBE_* settings; its `images` are built on the
 * Docker Engine of DOCKER_HOST. The Kubernetes client is imported only when
 * a kube_pod stage spawns or its sweeper is made (about 0.5 s and 70 MB).
 */
import type { DockerEngineOptions } from "../docker/docker-settings.js";
import { loadDockerEngine } from "../docker/load-docker-settings.js";
import { LazyProvisioner } from "../lazy-provisioner.js";
import type { WorkerTypeModule } from "../worker-type-module.js";
import { checkKubePodWorker } from "./check-kube-pod-worker.js";
import type { KubeSettings } from "./kube-settings.js";
import { loadKubeSettings } from "./load-kube-settings.js";

export interface KubePodWorkerSettings {
  kubernetes: KubeSettings;
  /** Why the cluster cannot be reached with these settings; empty when it can. */
  accessProblems: string[];
  /** The Docker Engine that builds the pods' images (the docker workers' settings report its errors). */
  imageEngine: DockerEngineOptions;
}

export const kubePodWorkerType: WorkerTypeModule<KubePodWorkerSettings> = {
  type: "kube_pod",
  enabledByDefault: false,
  defaultCapacity: 24,
  // The fork writes the pod template, rendered on the Eve host (sandboxed, but
  // there), and the pod it describes may be privileged (Docker-in-Docker
  // templates are): an operator who trusts the cluster's admission policies
  // opts in by leaving kube_pod out of EVE_TRUSTED_ONLY_WORKERS.
  forks: { trustedOnly: true, note: "kube_pod is in by default: the fork writes its pod template, rendered on the Eve host, and the pod may be privileged (docs/security.md)" },
  settings: [
    { name: "EVE_KUBE_ACCESS", default: "in-cluster", description: "how kube_pod workers reach the cluster: in-cluster (Eve's pod's service account), kubeconfig or token; unset: token if EVE_KUBE_SERVER is set, kubeconfig if EVE_KUBE_CONFIG is" },
    { name: "EVE_KUBE_CONFIG", default: "$KUBECONFIG or ~/.kube/config", description: "kubeconfig file, with EVE_KUBE_ACCESS=kubeconfig" },
    { name: "EVE_KUBE_CONTEXT", default: undefined, description: "context of the kubeconfig to use (default: its current-context)" },
    { name: "EVE_KUBE_SERVER", default: undefined, description: "API server URL, with EVE_KUBE_ACCESS=token" },
    { name: "EVE_KUBE_TOKEN", default: undefined, description: "bearer token for EVE_KUBE_SERVER (a secret: give it from a Secret; never logged)" },
    { name: "EVE_KUBE_CA_FILE", default: undefined, description: "PEM CA of EVE_KUBE_SERVER (default: the system's CAs)" },
    { name: "EVE_KUBE_SKIP_TLS_VERIFY", default: "off", description: "do not verify EVE_KUBE_SERVER's certificate (on/off)" },
    { name: "EVE_KUBE_NAMESPACE", default: "<Eve's pod's namespace, the context's, or default>", description: "namespace of kube_pod worker pods (Eve's KUBE_POD_NAMESPACE)" },
    { name: "EVE_KUBE_REGISTRY", default: undefined, description: "registry that kube_pod `images` are pushed to and the cluster pulls from, e.g. registry.example.com/eve" },
    { name: "EVE_KUBE_MAX_CPU", default: "1", description: "cpu ceiling of each container and of each pod, a Kubernetes quantity (Eve's KUBE_POD_MAX_CPU)" },
    { name: "EVE_KUBE_MAX_MEMORY", default: "4G", description: "memory ceiling of each container and of each pod, a Kubernetes quantity (Eve's KUBE_POD_MAX_MEMORY)" },
    { name: "EVE_KUBE_ACTIVE_DEADLINE", default: "86400", description: "ceiling and default of a pod's activeDeadlineSeconds (Eve's KUBE_POD_ACTIVE_DEADLINE)" },
    { name: "EVE_KUBE_START_TIMEOUT", default: "600", description: "seconds a pod may take to be Running before its stage fails" },
    { name: "EVE_KUBE_DELETE_GRACE", default: "240", description: "seconds a deleted pod may linger before it is force-deleted" },
    { name: "EVE_KUBE_NODE_AFFINITY", default: undefined, description: "JSON of a Kubernetes NodeAffinity set on every pod (Eve's KUBE_POD_NODE_AFFINITY); templates may not set affinity" },
    { name: "EVE_KUBE_TOLERATIONS", default: undefined, description: "JSON list of Kubernetes tolerations added to every pod" },
    { name: "EVE_KUBE_SERVICES", default: undefined, description: "yaml or JSON file listing the clusters offered to `service` stages: [{attributes, access, server?, caData?, skipTlsVerify?}] (docs/kubernetes.md)" },
  ],
  loadSettings(env, errors) {
    const { settings, accessProblems } = loadKubeSettings(env, errors);
    // DOCKER_HOST and its TLS settings belong to the docker workers, which report their errors.
    return { kubernetes: settings, accessProblems, imageEngine: loadDockerEngine(env.silent(), []) };
  },
  getProblems: (settings) => settings.accessProblems,
  getSecrets({ kubernetes: { access, services } }) {
    return [access, ...services.map((service) => service.access)].flatMap((entry) => (entry.mode === "token" && entry.token !== "" ? [entry.token] : []));
  },
  createProvisioner: (settings) =>
    new LazyProvisioner("kube_pod", async () => {
      const [{ KubeProvisioner }, { DockerClient }] = await Promise.all([import("./kube-provisioner.js"), import("../docker/docker-client.js")]);
      return new KubeProvisioner({ settings: settings.kubernetes, docker: new DockerClient(settings.imageEngine) });
    }),
  async createSweepers({ kubernetes }) {
    const [{ KubeClient }, { KubeReaper }] = await Promise.all([import("./kube-client.js"), import("./kube-reaper.js")]);
    const { access, namespace, services, deleteGraceSeconds } = kubernetes;
    return [new KubeReaper({ client: new KubeClient(access), namespace, serviceClients: services.map((service) => new KubeClient(service.access)), deleteGraceMs: deleteGraceSeconds * 1000 })];
  },
  // The pod template is always read from the repository.
  needsCheckout: () => true,
  checkWorker: checkKubePodWorker,
};
