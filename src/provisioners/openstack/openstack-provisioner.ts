/**
 * `type: openstack`: one server per stage run, through the OpenStack APIs
 * (Keystone v3, Glance, Nova), and every step over SSH. The image and flavor
 * are resolved before anything is created (an unknown one is the build's
 * fault); the server carries Eve's labels as metadata and tags to find it by;
 * the run's own key pair logs Eve in. A failure after creation deletes what
 * was created; a cloud that fails to give servers is quarantined.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { WorkerSpec } from "../../buildfile/types.js";
import { toLabelMap } from "../labels.js";
import { ProvisionError, WorkerRefusedError, type Provisioner, type ResourceLabels, type SpawnContext, type Workspace } from "../types.js";
import { connectWhenSshAnswers, createServerWhenQuotaAllows, pickAddress, waitUntilActive, type BootContext } from "./boot-server.js";
import { CloudQuarantine } from "./cloud-quarantine.js";
import { mapCloudName } from "./map-cloud-name.js";
import { OpenStackClient } from "./openstack-client.js";
import type { OpenStackSettings } from "./openstack-settings.js";
import { isOpenStackWorkerSpec } from "./openstack-worker-spec.js";
import { deleteServerAndWait, OpenStackWorkspace } from "./openstack-workspace.js";
import { generateSshKeyPair, type SshConnection } from "./ssh-connection.js";
import { createPreparationSteps, readWorkerScripts } from "./worker-scripts.js";

/** The tag every server Eve creates carries. */
export const EVE_TAG = "eve";

/** The tag of one Eve instance's servers (Nova tags: 60 characters, no comma or slash). */
export function instanceTag(instance: string): string {
  const tag = `eve.instance:${instance}`;
  return tag.length <= 60 && !/[,/]/.test(tag) ? tag : `eve.instance:${createHash("sha256").update(instance).digest("hex").slice(0, 40)}`;
}

export class OpenStackProvisioner implements Provisioner {
  readonly type = "openstack";
  readonly #settings: OpenStackSettings;
  readonly #client: OpenStackClient;
  readonly #quarantine: CloudQuarantine;

  constructor(settings: OpenStackSettings) {
    this.#settings = settings;
    this.#client = new OpenStackClient(settings);
    this.#quarantine = new CloudQuarantine(settings.quarantineS * 1000, settings.quarantineMaxS * 1000);
  }

  async ping(): Promise<void> {
    await this.#client.findFlavorIds("");
  }

  async spawn(spec: WorkerSpec, context: SpawnContext): Promise<Workspace> {
    if (!isOpenStackWorkerSpec(spec)) throw new ProvisionError(`the openstack provisioner cannot spawn a ${spec.type} worker`);
    const settings = this.#settings;
    const until = this.#quarantine.activeUntil();
    if (until) throw new ProvisionError(`the OpenStack cloud is quarantined until ${until.toISOString()} after failing to give servers`);
    const scripts = await readWorkerScripts(context.repoDir, spec.path);
    const source = { mappingFile: settings.mappingFile, provider: settings.provider, region: settings.region };
    const imageName = mapCloudName(source, "image", spec.image);
    const flavorName = mapCloudName(source, "flavor", spec.flavor);
    const [imageIds, flavorIds] = await this.#infra(() => Promise.all([this.#client.findImageIds(imageName), this.#client.findFlavorIds(flavorName)]));
    if (imageIds.length === 0) throw new WorkerRefusedError(`the cloud has no image named '${imageName}'${imageName === spec.image ? "" : ` (mapped from '${spec.image}')`}`);
    if (flavorIds.length === 0) throw new WorkerRefusedError(`the cloud has no flavor named '${flavorName}'${flavorName === spec.flavor ? "" : ` (mapped from '${spec.flavor}')`}`);

    const name = serverName(context.labels);
    const key = settings.keyName === undefined ? generateSshKeyPair(name) : undefined;
    const keypairName = key ? name : undefined;
    const boot: BootContext = { client: this.#client, settings, deadline: Date.now() + settings.bootTimeoutS * 1000, signal: context.signal, log: context.log };
    let serverId: string | undefined;
    let connection: SshConnection | undefined;
    try {
      if (key) await this.#infra(() => this.#client.createKeypair(name, key.public));
      context.log(`creating server ${name} (image ${imageName}, flavor ${flavorName})`);
      serverId = await this.#infra(() =>
        createServerWhenQuotaAllows(boot, {
          name,
          imageRef: imageIds[0] ?? "",
          flavorRef: flavorIds[0] ?? "",
          key_name: settings.keyName ?? name,
          networks: settings.networks.length > 0 ? settings.networks.map((uuid) => ({ uuid })) : "auto",
          metadata: serverMetadata(context.labels),
          tags: [EVE_TAG, instanceTag(context.labels.instance)],
        }),
      );
      const server = await this.#infra(() => waitUntilActive(boot, serverId ?? ""));
      const host = pickAddress(server, settings.sshNetwork);
      if (host === undefined) throw new ProvisionError(`server ${name} is ACTIVE but has no address${settings.sshNetwork === undefined ? "" : ` on network ${settings.sshNetwork}`}`);
      context.log(`server ${name} is ACTIVE at ${host}; waiting for SSH`);
      const privateKey = key?.private ?? readFileSync(settings.sshKeyFile ?? "", "utf8");
      ({ connection } = await this.#infra(() => connectWhenSshAnswers(boot, server, { host, port: settings.sshPort, username: settings.sshUser, privateKey })));
      this.#quarantine.succeeded();
      if (scripts["start.sh"] !== undefined) context.log("start.sh skipped: in Eve it only started buildbot-worker; this Eve runs the steps over SSH");
      const preparation = createPreparationSteps(scripts, context.interpolate("%(prop:product_version:-0.0.0)s"), {
        connection,
        dir: "/tmp/eve-worker-scripts",
        asRoot: settings.sshUser === "root" ? [] : ["sudo", "-n"],
        requirementsAttempts: settings.requirementsAttempts,
        requirementsDelayMs: settings.requirementsDelayS * 1000,
      });
      return new OpenStackWorkspace({
        preparation,
        client: this.#client,
        serverId,
        serverName: name,
        keypairName,
        connection,
        builderDir: settings.builderDir ?? (settings.sshUser === "root" ? "/root/workspace" : `/home/${settings.sshUser}/workspace`),
        properties: workerProperties(spec, imageName, flavorName, scripts, name),
        pollIntervalMs: settings.pollIntervalS * 1000,
        deleteTimeoutMs: settings.bootTimeoutS * 1000,
      });
    } catch (error) {
      await this.#cleanUp(serverId, keypairName, connection, context);
      throw error;
    }
  }

  /** Runs a call to the cloud; a failure that is the cloud's (not the build's, not a cancel) counts towards quarantine. */
  async #infra<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const cancelled = error instanceof Error && error.name === "AbortError";
      if (!cancelled && !(error instanceof WorkerRefusedError)) this.#quarantine.failed();
      if (error instanceof ProvisionError || cancelled) throw error;
      throw new ProvisionError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  async #cleanUp(serverId: string | undefined, keypairName: string | undefined, connection: SshConnection | undefined, context: SpawnContext): Promise<void> {
    try {
      if (serverId === undefined) {
        if (keypairName !== undefined) await this.#client.deleteKeypair(keypairName);
        return;
      }
      await deleteServerAndWait({ client: this.#client, serverId, keypairName, connection, pollIntervalMs: this.#settings.pollIntervalS * 1000, deleteTimeoutMs: this.#settings.bootTimeoutS * 1000 });
    } catch (error) {
      // The reaper finds it by its tags; the stage's own error matters more.
      context.log(`could not delete server ${serverId ?? ""} after the failure: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Nova names: any text, but it becomes the hostname: keep it DNS-safe. */
function serverName(labels: ResourceLabels): string {
  return `eve-${labels.run}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").slice(0, 63).replace(/-+$/, "");
}

/** Eve's labels as server metadata (Nova: values of at most 255 characters). */
function serverMetadata(labels: ResourceLabels): Record<string, string> {
  return Object.fromEntries(Object.entries(toLabelMap(labels)).map(([key, value]) => [key, value.slice(0, 255)]));
}

/** The properties Eve's openstack build order set, and `multivm_prefix` for a worker with `resources` (EVE-983). */
function workerProperties(spec: WorkerSpec & { path?: string }, image: string, flavor: string, scripts: Record<string, string | undefined>, name: string): Record<string, unknown> {
  return {
    worker_path: spec.path ?? "",
    openstack_image: image,
    openstack_flavor: flavor,
    "init.sh": scripts["init.sh"] ?? "",
    "requirements.sh": scripts["requirements.sh"] ?? "",
    "start.sh": scripts["start.sh"] ?? "",
    ...(spec.resources === undefined ? {} : { multivm_prefix: name }),
  };
}
