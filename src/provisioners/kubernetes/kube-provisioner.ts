/**
 * `type: kube_pod` workers: the repository's pod template rendered (sandboxed),
 * its images built and pushed, Eve's rules enforced, the pod created and
 * awaited; steps are exec'd into its worker container; teardown deletes it.
 */
import { readFile, realpath } from "node:fs/promises";
import type { WorkerSpec } from "../../buildfile/types.js";
import { checkInside } from "../docker/build-context.js";
import { DockerClient } from "../docker/docker-client.js";
import { ProvisionError, WorkerRefusedError, type Provisioner, type SpawnContext, type Workspace } from "../types.js";
import { enforcePod } from "./enforce-pod.js";
import { KubeApiError, KubeClient } from "./kube-client.js";
import { ensurePodImages } from "./kube-images.js";
import { kubeMetadata, kubeName } from "./kube-names.js";
import { deletePod, waitForPodRunning } from "./kube-pod-lifecycle.js";
import { createServiceAccess, findServiceCluster, KUBECONFIG_DIR, type ServiceAccess } from "./kube-service.js";
import { DEFAULT_KUBE_SETTINGS, type KubeSettings } from "./kube-settings.js";
import { isKubePodWorkerSpec, type KubePodWorkerSpec } from "./kube-pod-worker-spec.js";
import { KubeWorkspace } from "./kube-workspace.js";
import { renderPodTemplate } from "./render-pod-template.js";

export interface KubeProvisionerOptions {
  settings?: Partial<KubeSettings>;
  /** Clients to share (tests, the reaper); by default built from the settings. */
  client?: KubeClient;
  docker?: DockerClient;
}

export class KubeProvisioner implements Provisioner {
  readonly type = "kube_pod" as const;
  readonly settings: KubeSettings;
  readonly #options: KubeProvisionerOptions;
  #client: KubeClient | undefined;

  constructor(options: KubeProvisionerOptions = {}) {
    this.settings = { ...DEFAULT_KUBE_SETTINGS, ...options.settings };
    this.#options = options;
  }

  /** Built on first use: an Eve without a cluster can still register the type. */
  get client(): KubeClient {
    this.#client ??= this.#options.client ?? new KubeClient(this.settings.access);
    return this.#client;
  }

  async spawn(spec: WorkerSpec, context: SpawnContext): Promise<Workspace> {
    if (!isKubePodWorkerSpec(spec)) throw new ProvisionError(`the kube_pod provisioner cannot spawn a '${spec.type}' worker`);
    const template = await this.#readTemplate(spec, context);
    const images = await ensurePodImages(this.#options.docker ?? new DockerClient(), spec.images ?? {}, this.settings.registry, context);
    const rendered = await renderPodTemplate(template, { images, vars: spec.vars ?? {} });
    if (!rendered.ok) refuse(context, `pod template '${spec.path}': ${rendered.message}`);
    abortIfCancelled(context);

    const name = kubeName("eve", context.labels.run);
    const { namespace } = this.settings;
    let service: ServiceAccess | undefined;
    let secretName: string | undefined;
    const cleanup = async (): Promise<void> => {
      if (secretName) await this.client.deleteSecret(namespace, secretName);
      await service?.teardown();
    };
    try {
      if (spec.service) service = await this.#createService(spec.service, context);
      const metadata = kubeMetadata(context.labels);
      const env: Record<string, string> = { STAGE: context.labels.stage, RUNNING_IN_CI: "1", WORKERNAME: name };
      const volumes = [];
      if (service) {
        secretName = `${name.slice(0, 52)}-kubeconfig`;
        await this.client.createSecret(namespace, { apiVersion: "v1", kind: "Secret", metadata: { name: secretName, labels: metadata.labels, annotations: metadata.annotations }, stringData: { config: service.kubeconfig } });
        env.KUBECONFIG = `${KUBECONFIG_DIR}/config`;
        volumes.push({ volume: { name: "eve-kubeconfig", secret: { secretName } }, mountPath: KUBECONFIG_DIR });
      }
      const enforced = enforcePod(rendered.text, { policy: this.settings.policy, name, ...metadata, env, volumes, interpolate: context.interpolate });
      if (!enforced.ok) refuse(context, `'${spec.path}': ${enforced.message}`);

      await this.client.createPod(namespace, enforced.pod).catch((error: unknown) => {
        // 422 Invalid: the API server's own checks (requests above limits, a container name that is not a DNS label, …) refused what the template wrote.
        if (error instanceof KubeApiError && error.statusCode === 422) refuse(context, `'${spec.path}': the cluster refused the pod: ${error.message}`);
        throw error;
      });
      context.log(`eve: created pod ${name} in namespace ${namespace} (worker container '${enforced.workerContainer}')`);
      const workspace = new KubeWorkspace({
        client: this.client,
        namespace,
        pod: name,
        container: enforced.workerContainer,
        builderDir: this.settings.builderDir,
        deleteGraceMs: this.settings.deleteGraceSeconds * 1000,
        cleanup,
        // Eve's KubernetesPodBuildOrder set these; the service's namespaces are properties too.
        properties: { worker_path: spec.path, worker_template: template, worker_images: images, worker_vars: spec.vars ?? {}, worker_service: spec.service ?? null, ...service?.properties },
      });
      try {
        await waitForPodRunning({ client: this.client, namespace, name }, enforced.workerContainer, this.settings.startTimeoutSeconds * 1000, context.signal, context.log);
      } catch (error) {
        if (error instanceof Error) context.log(`eve: ${error.message}`);
        await workspace.teardown().catch(() => undefined);
        throw error;
      }
      return workspace;
    } catch (error) {
      // A pod that was never created leaves its secret and namespaces behind otherwise.
      await deletePod({ client: this.client, namespace, name }, 0).catch(() => undefined);
      await cleanup().catch(() => undefined);
      throw error;
    }
  }

  async #readTemplate(spec: KubePodWorkerSpec, context: SpawnContext): Promise<string> {
    if (context.repoDir === undefined) return refuse(context, "a kube_pod worker needs the repository checkout");
    const path = await checkInside(await realpath(context.repoDir), spec.path, "path", "file");
    if (typeof path !== "string") return refuse(context, path.message);
    return readFile(path, "utf8");
  }

  async #createService(request: NonNullable<KubePodWorkerSpec["service"]>, context: SpawnContext): Promise<ServiceAccess> {
    const cluster = findServiceCluster(this.settings.services, request);
    if (typeof cluster === "string") return refuse(context, cluster);
    return createServiceAccess(cluster, request, context.labels, this.settings.policy.maxActiveDeadlineSeconds + 3600, context.log);
  }
}

function refuse(context: SpawnContext, message: string): never {
  context.log(`eve: ${message}`);
  throw new WorkerRefusedError(message);
}

function abortIfCancelled(context: SpawnContext): void {
  if (context.signal.aborted) throw new ProvisionError("the stage was cancelled while its pod was being prepared", { cause: context.signal.reason });
}
