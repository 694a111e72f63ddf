/**
 * The stand-in's kubelet: a pod's containers as real containers on the local
 * Docker Engine, sharing one network namespace as a pod does (the first owns
 * it, with only loopback; the others join it), emptyDir volumes as Docker
 * volumes, secret volumes as read-only bind mounts. Its status follows the
 * containers: ContainerCreating, ErrImagePull, Running, terminated.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";

export const STAND_IN_LABEL = "eve-test.kube-stand-in";

type Obj = Record<string, any>;

export interface RuntimePod {
  object: Obj;
  containerIds: Map<string, string>;
  volumes: string[];
  dirs: string[];
  monitor?: NodeJS.Timeout;
  stopped: boolean;
}

export class PodRuntime {
  readonly docker = new Docker();
  readonly #serverId: string;

  constructor(serverId: string) {
    this.#serverId = serverId;
  }

  /** Starts the pod's containers; updates `pod.object.status` as it goes. Never throws. */
  async start(pod: RuntimePod, secrets: (name: string) => Obj | undefined): Promise<void> {
    const spec = pod.object.spec as Obj;
    const containers = spec.containers as Obj[];
    const statuses = containers.map((c) => ({ name: c.name, image: c.image, imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } as Obj }));
    pod.object.status = { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }], containerStatuses: statuses };
    try {
      for (const [i, c] of containers.entries()) {
        const pulled = await this.#ensureImage(c.image as string);
        if (pulled !== true) {
          statuses[i]!.state = { waiting: { reason: "ErrImagePull", message: pulled } };
          return;
        }
      }
      if (pod.stopped) return;
      const binds = this.#volumes(pod, secrets);
      let owner: string | undefined;
      for (const [i, c] of containers.entries()) {
        const mounts = ((c.volumeMounts ?? []) as Obj[]).map((m) => `${binds.get(m.name) ?? m.name}:${m.mountPath}${m.readOnly ? ":ro" : ""}`);
        const created = await this.docker.createContainer({
          name: `k8s_${c.name}_${pod.object.metadata.name}_${pod.object.metadata.namespace}_${this.#serverId}`,
          Image: c.image,
          ...(c.command ? { Entrypoint: c.command } : {}),
          ...(c.args || c.command ? { Cmd: c.args ?? [] } : {}),
          Env: ((c.env ?? []) as Obj[]).filter((e) => e.value !== undefined).map((e) => `${e.name}=${e.value}`),
          Labels: { [STAND_IN_LABEL]: this.#serverId, "io.kubernetes.pod.name": pod.object.metadata.name, "io.kubernetes.pod.namespace": pod.object.metadata.namespace },
          HostConfig: { NetworkMode: owner ? `container:${owner}` : "none", Binds: mounts, Privileged: c.securityContext?.privileged === true },
        });
        pod.containerIds.set(c.name, created.id);
        owner ??= created.id;
        if (pod.stopped) return;
        await created.start();
        statuses[i]!.state = { running: { startedAt: new Date().toISOString() } };
        statuses[i]!.ready = true;
      }
      pod.object.status.phase = "Running";
      pod.monitor = setInterval(() => void this.#watch(pod), 250);
    } catch (error) {
      pod.object.status.phase = "Failed";
      pod.object.status.message = error instanceof Error ? error.message : String(error);
    }
  }

  async stop(pod: RuntimePod): Promise<void> {
    pod.stopped = true;
    if (pod.monitor) clearInterval(pod.monitor);
    for (const id of [...pod.containerIds.values()].reverse()) await this.docker.getContainer(id).remove({ force: true, v: true }).catch(() => undefined);
    for (const volume of pod.volumes) await this.docker.getVolume(volume).remove().catch(() => undefined);
    for (const dir of pod.dirs) rmSync(dir, { recursive: true, force: true });
  }

  async logs(pod: RuntimePod, container: string, tailLines: number): Promise<string> {
    const id = pod.containerIds.get(container);
    if (!id) return "";
    const raw = (await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: tailLines })) as unknown as Buffer;
    // Multiplexed: 8-byte frame headers.
    const out: Buffer[] = [];
    for (let at = 0; at + 8 <= raw.length; ) {
      const size = raw.readUInt32BE(at + 4);
      out.push(raw.subarray(at + 8, at + 8 + size));
      at += 8 + size;
    }
    return Buffer.concat(out).toString("utf8");
  }

  async #ensureImage(image: string): Promise<true | string> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      // Not on the engine: pull it, as a kubelet does.
    }
    try {
      const stream = await this.docker.pull(image);
      let failure: string | undefined;
      await new Promise<void>((resolve) => this.docker.modem.followProgress(stream, (err: Error | null) => ((failure ??= err?.message), resolve()), (e: Obj) => (e.error ? (failure = e.error) : undefined)));
      return failure === undefined ? true : `failed to pull image "${image}": ${failure}`;
    } catch (error) {
      return `failed to pull image "${image}": ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** Volume name → Docker volume name or host directory. */
  #volumes(pod: RuntimePod, secrets: (name: string) => Obj | undefined): Map<string, string> {
    const binds = new Map<string, string>();
    for (const volume of (pod.object.spec.volumes ?? []) as Obj[]) {
      if (volume.emptyDir) {
        const name = `k8s-${pod.object.metadata.name}-${volume.name}-${this.#serverId}`;
        pod.volumes.push(name);
        binds.set(volume.name, name);
      } else if (volume.secret) {
        const secret = secrets(volume.secret.secretName);
        const dir = mkdtempSync(join(tmpdir(), "eve-stand-in-secret-"));
        pod.dirs.push(dir);
        for (const [key, value] of Object.entries((secret?.data ?? {}) as Record<string, string>)) writeFileSync(join(dir, key), Buffer.from(value, "base64"));
        binds.set(volume.name, dir);
      }
    }
    return binds;
  }

  async #watch(pod: RuntimePod): Promise<void> {
    if (pod.stopped) return;
    const statuses = pod.object.status.containerStatuses as Obj[];
    for (const status of statuses) {
      const id = pod.containerIds.get(status.name);
      if (!id || !status.state.running) continue;
      const info = await this.docker.getContainer(id).inspect().catch(() => undefined);
      if (!info || info.State.Running) continue;
      status.state = { terminated: { exitCode: info.State.ExitCode, reason: info.State.ExitCode === 0 ? "Completed" : "Error", finishedAt: info.State.FinishedAt } };
      status.ready = false;
    }
    if (statuses.every((s) => s.state.terminated)) pod.object.status.phase = statuses.every((s) => s.state.terminated.exitCode === 0) ? "Succeeded" : "Failed";
  }
}
