/**
 * The contract's target for `type: local`: builder directories and process groups on this host, their
 * steps started through the spawn helper (the app) or from the process itself (`eve run`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { LOCAL_MARKER_FILE, parseMarker } from "../../src/provisioners/local/builder-marker.js";
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
          const marker = parseMarker(readFileSync(join(workersDir, dir, LOCAL_MARKER_FILE), "utf8"));
          return marker ? [marker.parsed] : [];
        } catch {
          return [];
        }
      });
      return markers
        // A spare (a marker naming no run) is the provisioner's, emptied and kept for its next run until it
        // closes: not a run's resource (builder-dirs.test.ts checks spares).
        .filter(({ labels }) => labels.instance === instance && labels.run !== undefined)
        .map(({ labels, owner }) => ({
          "eve.instance": String(labels.instance),
          "eve.build": String(labels.build),
          "eve.stage": String(labels.stage),
          "eve.attempt": String(labels.attempt),
          "eve.run": String(labels.run),
          "eve.owner.host": String(owner?.host),
          "eve.owner.pid": String(owner?.pid),
        }));
    },
    async loseResource(workspace) {
      rmSync(workspace.builderDir, { recursive: true, force: true });
    },
  };
}
