/**
 * One server of one stage run: steps run over its SSH connection; teardown
 * deletes the server, waits until the cloud says it is gone (for-fee
 * resources must not outlive the stage), and deletes the run's key pair.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ProvisionError, type ExecOptions, type ExecResult, type PreparationStep, type StepCommand, type Workspace } from "../types.js";
import type { OpenStackClient } from "./openstack-client.js";
import { runSshStep } from "./run-ssh-step.js";
import type { SshConnection } from "./ssh-connection.js";

export interface OpenStackWorkspaceOptions {
  client: OpenStackClient;
  serverId: string;
  serverName: string;
  /** The run's own key pair, deleted after the server; undefined with an operator key (OS_KEY_NAME). */
  keypairName: string | undefined;
  connection: SshConnection | undefined;
  builderDir: string;
  properties: Record<string, unknown>;
  /** init.sh and requirements.sh, run by the engine as the stage's first steps. */
  preparation: PreparationStep[];
  pollIntervalMs: number;
  /** How long a deleted server may take to be gone before teardown reports it. */
  deleteTimeoutMs: number;
}

export class OpenStackWorkspace implements Workspace {
  readonly id: string;
  readonly builderDir: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly preparation: readonly PreparationStep[];
  readonly #options: OpenStackWorkspaceOptions;
  #steps = 0;
  #teardown: Promise<void> | undefined;

  constructor(options: OpenStackWorkspaceOptions) {
    this.#options = options;
    this.id = options.serverName;
    this.builderDir = options.builderDir;
    this.properties = options.properties;
    this.preparation = options.preparation;
  }

  async exec(command: StepCommand, options: ExecOptions): Promise<ExecResult> {
    const connection = this.#options.connection;
    if (!connection) throw new ProvisionError(`server ${this.id} has no SSH connection`);
    this.#steps += 1;
    return runSshStep(connection, `/tmp/.eve-step-${this.#steps}.pid`, command, options);
  }

  teardown(): Promise<void> {
    // Memoized, so a second call waits for the first; a failed teardown can be retried.
    this.#teardown ??= deleteServerAndWait(this.#options).catch((error: unknown) => {
      this.#teardown = undefined;
      throw error;
    });
    return this.#teardown;
  }
}

/** Deletes the server and waits until it is gone, then the run's key pair. */
export async function deleteServerAndWait(options: Omit<OpenStackWorkspaceOptions, "builderDir" | "properties" | "serverName" | "preparation">): Promise<void> {
  options.connection?.close();
  const { client, serverId } = options;
  await client.deleteServer(serverId);
  const deadline = Date.now() + options.deleteTimeoutMs;
  while ((await client.getServer(serverId)) !== undefined) {
    if (Date.now() > deadline) throw new ProvisionError(`server ${serverId} was still there ${Math.round(options.deleteTimeoutMs / 1000)} s after its deletion`);
    await sleep(options.pollIntervalMs);
  }
  if (options.keypairName !== undefined) await client.deleteKeypair(options.keypairName);
}
