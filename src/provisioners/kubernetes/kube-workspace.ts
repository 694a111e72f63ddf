/**
 * One running worker pod: steps run in its worker container through exec;
 * teardown deletes the pod (force after the grace), the kubeconfig secret
 * and the `service` namespaces.
 */
import { expandEnv } from "../local/expand-env.js";
import { createStepToken } from "../supervise-wrapped-exec.js";
import type { ExecOptions, ExecResult, StepCommand, Workspace } from "../types.js";
import type { KubeClient } from "./kube-client.js";
import { runKubeExec } from "./kube-exec.js";
import { deletePod } from "./kube-pod-lifecycle.js";

export interface KubeWorkspaceOptions {
  client: KubeClient;
  namespace: string;
  pod: string;
  container: string;
  builderDir: string;
  deleteGraceMs: number;
  /** Removes what was created beside the pod (secret, service namespaces). */
  cleanup: () => Promise<void>;
  properties: Record<string, unknown>;
}

export class KubeWorkspace implements Workspace {
  readonly id: string;
  readonly builderDir: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly #options: KubeWorkspaceOptions;
  #teardown: Promise<void> | undefined;
  #containerEnv: Promise<Record<string, string>> | undefined;

  constructor(options: KubeWorkspaceOptions) {
    this.#options = options;
    this.id = options.pod;
    this.builderDir = options.builderDir;
    this.properties = options.properties;
  }

  async exec(command: StepCommand, options: ExecOptions): Promise<ExecResult> {
    const { client, namespace, pod, container } = this.#options;
    let env = options.env;
    // `${NAME}` in a step's value refers to the container's own environment, as with Buildbot's worker.
    if (Object.values(env).some((value) => value.includes("${"))) {
      this.#containerEnv ??= this.#readContainerEnv();
      env = expandEnv(env, await this.#containerEnv);
    }
    return runKubeExec({ client, namespace, pod, container, stepToken: createStepToken() }, command, { ...options, env });
  }

  teardown(): Promise<void> {
    const { client, namespace, pod, deleteGraceMs, cleanup } = this.#options;
    // Memoized, so a second call waits for the first; a failed teardown can be retried.
    this.#teardown ??= (async () => {
      try {
        await deletePod({ client, namespace, name: pod }, deleteGraceMs);
      } finally {
        await cleanup();
      }
    })().catch((error: unknown) => {
      this.#teardown = undefined;
      throw error;
    });
    return this.#teardown;
  }

  /** The environment of the container's main process (the idle loop Eve put there). */
  async #readContainerEnv(): Promise<Record<string, string>> {
    const { client, namespace, pod, container } = this.#options;
    const handle = await client.exec(namespace, pod, container, ["cat", "/proc/1/environ"], false);
    handle.stderr.resume();
    const chunks: Buffer[] = [];
    for await (const chunk of handle.stdout) chunks.push(chunk as Buffer);
    await handle.done;
    const env: Record<string, string> = {};
    for (const entry of Buffer.concat(chunks).toString("utf8").split("\0")) {
      const at = entry.indexOf("=");
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return env;
  }
}
