/**
 * The contract's target for `type: local`: builder directories and process groups on this host, their
 * steps started through the spawn helper (the app) or from the process itself (`eve run`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { LOCAL_LABELS_FILE } from "../../src/provisioners/local/local-provisioner.js";
import type { ProvisionerTarget } from "./provisioner-contract.js";

/** A target whose builder directories go to a temporary directory, removed after the file's tests. */
export function createLocalTarget(stepsInThisProcess: boolean): ProvisionerTarget {
  const workersDir = mkdtempSync(join(tmpdir(), "eve-contract-local-"));
  afterAll(() => rmSync(workersDir, { recursive: true, force: true }));
  return {
    type: "local",
    env: {},
    context: { workersDir },
    spec: { type: "local" },
    killedBySignalExitCode: null,
    repoDir: undefined,
    stepsInThisProcess,
    async listResources(instance) {
      const markers = readdirSync(workersDir).flatMap((dir) => {
        try {
          return [JSON.parse(readFileSync(join(workersDir, dir, LOCAL_LABELS_FILE), "utf8")) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
      return markers
        .filter((marker) => marker.instance === instance)
        .map((marker) => ({
          "eve.instance": String(marker.instance),
          "eve.build": String(marker.build),
          "eve.stage": String(marker.stage),
          "eve.attempt": String(marker.attempt),
          "eve.run": String(marker.run),
          "eve.owner.host": String(marker.host),
          "eve.owner.pid": String(marker.pid),
        }));
    },
    async loseResource(workspace) {
      rmSync(workspace.builderDir, { recursive: true, force: true });
    },
  };
}
