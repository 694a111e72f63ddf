/**
 * Finds the servers of this Eve instance (by its tags) whose stage run is
 * over (by their metadata labels) and deletes them, and their run's key pair:
 * a SIGKILLed Eve leaves paid-for servers behind otherwise.
 */
import { parseLabelMap } from "../labels.js";
import type { DeadRunJudge, OrphanSweeper, ReapedResource } from "../reaper.js";
import type { OpenStackClient } from "./openstack-client.js";
import { EVE_TAG, instanceTag } from "./openstack-provisioner.js";
import { deleteServerAndWait } from "./openstack-workspace.js";

export class OpenStackReaper implements OrphanSweeper {
  readonly #client: OpenStackClient;
  readonly #pollIntervalMs: number;
  readonly #deleteTimeoutMs: number;

  constructor(client: OpenStackClient, pollIntervalMs: number, deleteTimeoutMs: number) {
    this.#client = client;
    this.#pollIntervalMs = pollIntervalMs;
    this.#deleteTimeoutMs = deleteTimeoutMs;
  }

  async sweep(instance: string, isDead: DeadRunJudge): Promise<ReapedResource[]> {
    const reaped: ReapedResource[] = [];
    for (const server of await this.#client.listServers([EVE_TAG, instanceTag(instance)])) {
      const parsed = parseLabelMap(server.metadata ?? {});
      // The tag may be a hash of a long instance name: the metadata says whose it is.
      if (parsed.labels.instance !== instance || !(await isDead(parsed))) continue;
      try {
        await deleteServerAndWait({
          client: this.#client,
          serverId: server.id,
          // Only the run's own key pair, named after its server; never an operator's.
          keypairName: server.key_name === server.name ? server.name : undefined,
          connection: undefined,
          pollIntervalMs: this.#pollIntervalMs,
          deleteTimeoutMs: this.#deleteTimeoutMs,
        });
        reaped.push({ kind: "vm", name: server.name, labels: parsed.labels });
      } catch (error) {
        reaped.push({ kind: "vm", name: server.name, labels: parsed.labels, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return reaped;
  }
}
