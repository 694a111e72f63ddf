import { describe, expect, it } from "vitest";
import { BUILD_FILE_SCHEMA } from "../buildfile/build-file-schema.js";
import { loadWorkerSettings } from "../config/load-worker-settings.js";
import { SETTINGS } from "../config/settings.js";
import type { DockerProvisioner } from "./docker/docker-provisioner.js";
import { DockerReaper } from "./docker/docker-reaper.js";
import type { KubeProvisioner } from "./kubernetes/kube-provisioner.js";
import { KubeReaper } from "./kubernetes/kube-reaper.js";
import type { LazyProvisioner } from "./lazy-provisioner.js";
import { LocalReaper } from "./local/local-reaper.js";
import { createProvisionerRegistry, createWorkerSweepers } from "./registry.js";
import { DEFAULT_TRUSTED_ONLY_WORKERS, DEFAULT_WORKER_TYPES, UNIMPLEMENTED_WORKER_TYPES, WORKER_TYPE_MODULES, WORKER_TYPES } from "./worker-types.js";

interface SchemaNode {
  enum?: string[];
  const?: string;
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  allOf?: { if?: SchemaNode; then?: SchemaNode }[];
}

const definitions = (BUILD_FILE_SCHEMA.definitions ?? {}) as Record<string, SchemaNode>;
const reachable = loadWorkerSettings({ EVE_DOCKER_MAX_MEMORY: "1G", EVE_KUBE_SERVER: "https://kube.example.com:6443", EVE_KUBE_TOKEN: "t", EVE_KUBE_NAMESPACE: "builds" }).settings;
const unreachable = loadWorkerSettings({ EVE_DOCKER_MAX_MEMORY: "1G" }).settings;

describe("the registry of worker types", () => {
  it("lists the types of the schema, each with its own fragment", () => {
    const worker = definitions.worker;
    const fragments = (worker?.allOf ?? []).map((part) => [part.if?.properties?.type?.const, part.then?.$ref?.replace("#/definitions/", "")] as const);

    expect(worker?.properties?.type?.enum).toEqual(WORKER_TYPES);
    expect(fragments.map(([type]) => type)).toEqual(WORKER_TYPES);
    for (const [type, fragment] of fragments) expect(definitions[fragment ?? ""]?.properties?.type?.const).toBe(type);
  });

  it("puts every module's settings, and its capacity, in the settings table", () => {
    const names = new Set(SETTINGS.map((setting) => setting.name));

    for (const module of WORKER_TYPE_MODULES) {
      expect(module.settings.map((setting) => setting.name).filter((name) => !names.has(name))).toEqual([]);
      expect(SETTINGS).toContainEqual({ name: `EVE_MAX_${module.type.toUpperCase()}_WORKERS`, default: String(module.defaultCapacity), description: `${module.type} stages run at once by one worker process` });
    }
    expect(SETTINGS).toContainEqual(expect.objectContaining({ name: "EVE_WORKER_TYPES", default: "local,docker" }));
    expect(SETTINGS).toContainEqual(expect.objectContaining({ name: "EVE_TRUSTED_ONLY_WORKERS", default: "local,kube_pod" }));
  });

  it("keeps Eve's defaults: local and docker taken, local refused to forks, every type with a provisioner", () => {
    expect(DEFAULT_WORKER_TYPES).toEqual(["local", "docker"]);
    expect(DEFAULT_TRUSTED_ONLY_WORKERS).toEqual(["local", "kube_pod"]);
    expect(UNIMPLEMENTED_WORKER_TYPES).toEqual([]);
  });

  it("registers a provisioner for each type that can run here, with its settings", async () => {
    const without = createProvisionerRegistry(unreachable);
    const withKube = createProvisionerRegistry(reachable, { workersDir: "/tmp/eve-test-workers" });

    expect([...without.keys()]).toEqual(["local", "docker"]);
    const docker = await (without.get("docker") as LazyProvisioner<DockerProvisioner>).get();
    expect(docker.settings.maxMemory).toBe("1G");
    expect([...withKube.keys()]).toEqual(["local", "docker", "kube_pod"]);
    expect(withKube.get("local")).toMatchObject({ baseDir: "/tmp/eve-test-workers" });
    const kube = await (withKube.get("kube_pod") as LazyProvisioner<KubeProvisioner>).get();
    expect(kube.settings).toMatchObject({ namespace: "builds", access: { mode: "token", server: "https://kube.example.com:6443" } });
  });

  it("gives the reaper a sweeper per enabled type that can run here", async () => {
    const constructors = async (settings: typeof reachable, types: string[]) => (await createWorkerSweepers(settings, types)).map((sweeper) => sweeper.constructor);

    expect(await constructors(reachable, ["openstack"])).toEqual([]);
    expect(await constructors(reachable, ["local"])).toEqual([LocalReaper]);
    expect(await constructors(reachable, ["docker"])).toEqual([DockerReaper]);
    expect(await constructors(reachable, ["docker", "kube_pod"])).toEqual([DockerReaper, KubeReaper]);
    expect(await constructors(unreachable, ["docker", "kube_pod"])).toEqual([DockerReaper]);
  });
});
