/**
 * The provisioners and sweepers of this process, from the worker types'
 * settings. A worker type missing from the provisioners makes the stages that
 * ask for it end in `exception` ("this Eve has no '<type>' workers").
 */
import type { WorkerType } from "../buildfile/types.js";
import type { WorkerSettings } from "../config/load-worker-settings.js";
import type { OrphanSweeper } from "./reaper.js";
import type { Provisioner } from "./types.js";
import type { WorkerContext } from "./worker-type-module.js";

/** A provisioner for every type that has one and can run here (its settings show no problem). */
export function createProvisionerRegistry(workers: WorkerSettings, context: WorkerContext = {}): Map<WorkerType, Provisioner> {
  const registry = new Map<WorkerType, Provisioner>();
  for (const { module, settings, problems } of workers) {
    if (module.createProvisioner && problems.length === 0) registry.set(module.type, module.createProvisioner(settings, context));
  }
  return registry;
}

/** Lets every provisioner release what it keeps between stages (the process is stopping). */
export async function closeProvisioners(registry: ReadonlyMap<WorkerType, Provisioner>): Promise<void> {
  await Promise.all([...registry.values()].map((provisioner) => provisioner.close?.()));
}

/** The reaper's sweepers of the given types (those that can run here). */
export async function createWorkerSweepers(workers: WorkerSettings, types: readonly WorkerType[], context: WorkerContext = {}): Promise<OrphanSweeper[]> {
  const chosen = workers.filter(({ module, problems }) => types.includes(module.type) && problems.length === 0);
  const sweepers = await Promise.all(chosen.map(({ module, settings }) => module.createSweepers?.(settings, context) ?? []));
  return sweepers.flat();
}
