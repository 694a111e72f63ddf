/**
 * kube_pod workers end to end against the API-server stand-in (pods are real
 * Docker containers), with images really built, pushed to and pulled from a
 * local registry, through the unchanged @kubernetes/client-node client.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interpolate } from "../../../src/buildfile/interpolate.js";
import { KubeClient } from "../../../src/provisioners/kubernetes/kube-client.js";
import { KubeReaper } from "../../../src/provisioners/kubernetes/kube-reaper.js";
import { reapOrphans } from "../../../src/provisioners/reaper.js";
import { KubeProvisioner } from "../../../src/provisioners/kubernetes/kube-provisioner.js";
import type { KubeSettings } from "../../../src/provisioners/kubernetes/kube-settings.js";
import type { ExecOptions, SpawnContext, Workspace } from "../../../src/provisioners/types.js";
import { BUSYBOX_IMAGE, ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { KubeStandIn } from "../../helpers/kube-stand-in/kube-stand-in.js";
import { startLocalRegistry, type LocalRegistry } from "../../helpers/kube-stand-in/local-registry.js";
import { STAND_IN_LABEL } from "../../helpers/kube-stand-in/pod-runtime.js";

const docker = new Docker();
const instance = `kube-test-${randomBytes(3).toString("hex")}`;
let standIn: KubeStandIn;
let registry: LocalRegistry;
let repoDir: string;
let provisioner: KubeProvisioner;

const RESOURCES = "resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 250m, memory: 128Mi}}";
const TEMPLATE = `---
apiVersion: v1
kind: Pod
metadata:
  name: "{{ name | default('corpus-like-worker') }}"
spec:
  containers:
    - name: sidecar
      image: {{ images.sidecar }}
      command: [/bin/sh, -c, "mkdir -p /www && echo sidecar-ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
      ${RESOURCES}
    - name: worker
      image: {{ images['worker'] }}
      ${RESOURCES}
      command:
        - sh
        - -c
        - |
          buildbot-worker create-worker . $BUILDMASTER:$BUILDMASTER_PORT $WORKERNAME $WORKERPASS
          buildbot-worker start --nodaemon
      volumeMounts: [{name: shared, mountPath: /shared}]
      env:
        - name: BRANCH
          value: "%(prop:branch)s"
        {% for key, value in vars.env.items() %}
        - name: {{ key }}
          value: "{{ value }}"
        {% endfor %}
  volumes:
    - name: shared
      emptyDir: {}
`;

function write(path: string, text: string): void {
  mkdirSync(join(repoDir, path, ".."), { recursive: true });
  writeFileSync(join(repoDir, path), text);
}

function context(overrides: Partial<SpawnContext> = {}, lines: string[] = []): SpawnContext {
  const run = `run-${randomBytes(4).toString("hex")}`;
  return {
    labels: { instance, build: "build-1", stage: "pre merge", attempt: 1, run },
    repoDir,
    interpolate: (value) => interpolate(value, { property: (name) => (name === "branch" ? "main" : undefined), secret: () => undefined }),
    log: (line) => lines.push(line),
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function run(workspace: Workspace, shell: string, options: Partial<ExecOptions> = {}): Promise<{ exitCode: number | null; killedBy: string | null; output: string; errors: string; durationMs: number }> {
  let output = "";
  let errors = "";
  const result = await workspace.exec(
    { shell },
    { workdir: `${workspace.builderDir}/build`, env: { STEP_VAR: "from-step" }, timeoutMs: 60_000, maxTimeMs: 60_000, killGraceMs: 500, usePty: false, onOutput: (chunk, stream) => void (stream === "stdout" ? (output += chunk.toString()) : (errors += chunk.toString())), signal: new AbortController().signal, ...options },
  );
  return { ...result, output, errors };
}

beforeAll(async () => {
  ensureBusyboxImage();
  registry = await startLocalRegistry();
  // Pods on real clusters delete slowly; this one lingers so that teardown's force-delete is exercised.
  standIn = new KubeStandIn({ terminationDelayMs: 60_000 });
  await standIn.start();
  repoDir = mkdtempSync(join(tmpdir(), "eve-kube-repo-"));
  write("eve/workers/pod.yaml", TEMPLATE);
  write("eve/workers/worker/Dockerfile", `FROM ${BUSYBOX_IMAGE}\nRUN echo built-by-eve > /built\n`);
  write("eve/workers/sidecar/Dockerfile", `FROM ${BUSYBOX_IMAGE}\n`);
  // client-node refuses plain HTTP unless TLS checks are off; the stand-in speaks HTTP.
  const access = { mode: "token" as const, server: standIn.url, token: standIn.token, skipTlsVerify: true };
  const settings: Partial<KubeSettings> = {
    access,
    namespace: "default",
    registry: `${registry.host}/eve`,
    startTimeoutSeconds: 30,
    deleteGraceSeconds: 1,
    services: [{ attributes: { name: "test-cluster", version: "1.0" }, access }],
  };
  provisioner = new KubeProvisioner({ settings });
}, 120_000);

afterAll(async () => {
  await standIn?.stop();
  await registry?.stop();
  rmSync(repoDir, { recursive: true, force: true });
  for (const image of await docker.listImages({ filters: { label: [`eve.instance=${instance}`] } })) {
    for (const tag of image.RepoTags ?? []) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  }
});

const spec = { type: "kube_pod" as const, path: "eve/workers/pod.yaml", images: { worker: "eve/workers/worker", sidecar: { context: "eve/workers/sidecar" } }, vars: { env: { FEATURE: "on" } } };

describe("kube_pod workers", () => {
  it("renders, enforces, builds and pushes images, and runs steps in the worker container with the sidecar on localhost", async () => {
    const lines: string[] = [];
    const workspace = await provisioner.spawn(spec, context({}, lines));
    try {
      const pod = standIn.get("Pod", "default", workspace.id);
      expect(pod?.spec.containers.map((c: { name: string }) => c.name)).toEqual(["sidecar", "worker"]);
      expect(pod?.spec.restartPolicy).toBe("Never");
      expect(pod?.metadata.labels["eve.stage"]).toMatch(/^pre-merge-[0-9a-f]{10}$/);
      expect(pod?.metadata.annotations["eve.stage"]).toBe("pre merge");
      // Eve's KubernetesPodBuildOrder properties.
      expect(workspace.properties).toMatchObject({ worker_path: spec.path, worker_vars: spec.vars, worker_service: null, worker_images: { worker: expect.any(String), sidecar: expect.any(String) } });
      expect(workspace.properties?.worker_template).toContain("containers:");

      const step = await run(workspace, 'echo "$STAGE|$RUNNING_IN_CI|$BRANCH|$FEATURE|$STEP_VAR|$(pwd)"; cat /built; for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:8080/ 2>/dev/null && break; sleep 0.2; done; echo oops >&2; exit 3');

      expect(step.exitCode).toBe(3);
      expect(step.killedBy).toBeNull();
      expect(step.output).toBe(`pre merge|1|main|on|from-step|${workspace.builderDir}/build\nbuilt-by-eve\nsidecar-ok\n`);
      expect(step.errors).toBe("oops\n");
      expect((await run(workspace, "true")).exitCode).toBe(0);
    } finally {
      await workspace.teardown();
    }
    const pushed = Object.values(await pushedImages());
    expect(pushed.length).toBe(2);
    expect(lines.some((line) => line.startsWith("eve: pushing image"))).toBe(true);
    expect(standIn.list("Pod")).toEqual([]);
  });

  it("kills a step on timeout, on maxTime and on cancel", async () => {
    const workspace = await provisioner.spawn(spec, context());
    try {
      const timeout = await run(workspace, "echo start; sleep 30", { timeoutMs: 700 });
      expect([timeout.killedBy, timeout.exitCode, timeout.output]).toEqual(["timeout", null, "start\n"]);
      expect(timeout.durationMs).toBeLessThan(5_000);

      const maxTime = await run(workspace, "while :; do echo tick; sleep 0.2; done", { maxTimeMs: 800 });
      expect([maxTime.killedBy, maxTime.exitCode]).toEqual(["maxTime", null]);

      const abort = new AbortController();
      setTimeout(() => abort.abort(), 500);
      const cancelled = await run(workspace, "sleep 30", { signal: abort.signal });
      expect([cancelled.killedBy, cancelled.exitCode]).toEqual(["cancel", null]);
      expect(cancelled.durationMs).toBeLessThan(5_000);

      // The killed processes are gone from the container.
      const processes = (await run(workspace, "ps -o args")).output;
      expect(processes).toContain("sleep 3600");
      expect(processes).not.toContain("sleep 30\n");
      expect(processes).not.toContain("tick");
    } finally {
      await workspace.teardown();
    }
  });

  it("fails a pod that cannot start with the reason, and leaves nothing behind", async () => {
    write("eve/workers/broken.yaml", `apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n    - name: worker\n      image: ${registry.host}/eve/does-not-exist:1\n      ${RESOURCES}\n`);
    const lines: string[] = [];

    const spawned = provisioner.spawn({ type: "kube_pod", path: "eve/workers/broken.yaml" }, context({}, lines));

    await expect(spawned).rejects.toThrow(/cannot start: container 'worker': ErrImagePull/);
    expect(lines.some((line) => line.includes("ErrImagePull"))).toBe(true);
    expect(standIn.list("Pod")).toEqual([]);
  });

  it.each([
    ["a hostile template", '{{ "".constructor.constructor("return process")() }}', "the member 'constructor' is not allowed"],
    ["a violation of Eve's rules", TEMPLATE.replace("limits: {cpu: 250m", "limits: {cpu: 2"), "spec.containers[0].resources.limits.cpu '2' is above this Eve's maximum of 1"],
    ["a template outside the repository", undefined, "must not contain '..'"],
  ])("refuses %s before anything reaches the cluster", async (_name, template, message) => {
    const path = template === undefined ? "../etc/passwd" : "eve/workers/refused.yaml";
    if (template !== undefined) write(path, template);
    const before = standIn.requests.filter((r) => r.startsWith("POST")).length;

    await expect(provisioner.spawn({ ...spec, path }, context())).rejects.toThrow(message);

    expect(standIn.requests.filter((r) => r.startsWith("POST")).length).toBe(before);
  });

  it("gives a stage with `service` its own namespaces and a kubeconfig limited to them", async () => {
    const workspace = await provisioner.spawn({ ...spec, service: { requests: { version: "1.0" }, namespaces: ["testNamespace", "other"] } }, context());
    let namespaces: string[];
    try {
      const properties = workspace.properties as Record<string, string>;
      namespaces = [properties.testNamespace ?? "", properties.other ?? ""];
      expect(namespaces.every((n) => /^eve-[a-z0-9-]+$/.test(n) && standIn.list("Namespace").includes(n))).toBe(true);

      const config = await run(workspace, 'cat "$KUBECONFIG"');
      expect(config.exitCode).toBe(0);
      expect(config.output).toContain(`namespace: ${namespaces[0]}`);

      // The kubeconfig works in its namespaces and nowhere else.
      const dir = mkdtempSync(join(tmpdir(), "eve-kubeconfig-"));
      writeFileSync(join(dir, "config"), config.output);
      const scoped = new KubeClient({ mode: "kubeconfig", path: join(dir, "config") });
      rmSync(dir, { recursive: true });
      expect(await scoped.listPods(namespaces[1] ?? "", "")).toEqual([]);
      await expect(scoped.listPods("default", "")).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      await workspace.teardown();
    }
    expect(standIn.list("Namespace")).toEqual(["default"]);
    expect(standIn.list("Secret")).toEqual([]);
  });

  it("refuses a `service` request no cluster matches", async () => {
    await expect(provisioner.spawn({ ...spec, service: { requests: { version: "9.9" } } }, context())).rejects.toThrow('no Kubernetes cluster of this Eve matches the service requests {"version":"9.9"}');
  });

  it("reaps the pods, secrets and namespaces of stage runs that are over", async () => {
    const crashed = await provisioner.spawn({ ...spec, service: { namespaces: ["ns"] } }, context());
    const live = await provisioner.spawn(spec, context());
    const access = { mode: "token" as const, server: standIn.url, token: standIn.token, skipTlsVerify: true };
    const reaper = new KubeReaper({ client: new KubeClient(access), namespace: "default", serviceClients: [new KubeClient(access)], deleteGraceMs: 500 });
    try {
      const liveRun = standIn.get("Pod", "default", live.id)?.metadata.annotations["eve.run"];

      const reaped = await reapOrphans({ instance, sweepers: [reaper], isRunActive: async (run) => run === liveRun });

      expect(reaped.map((r) => `${r.kind} ${r.error ?? "removed"}`).sort()).toEqual(["namespace removed", "pod removed", "secret removed"]);
      expect(standIn.list("Pod")).toEqual([`default/${live.id}`]);
      expect(standIn.list("Namespace")).toEqual(["default"]);
    } finally {
      await crashed.teardown();
      await live.teardown();
    }
  });

  it("leaves no pods, namespaces, secrets, containers or volumes behind", async () => {
    expect(standIn.list("Pod")).toEqual([]);
    expect(standIn.list("Namespace")).toEqual(["default"]);
    expect(standIn.list("Secret")).toEqual([]);
    expect(await docker.listContainers({ all: true, filters: { label: [`${STAND_IN_LABEL}=${standIn.id}`] } })).toEqual([]);
    const volumes = (await docker.listVolumes()).Volumes ?? [];
    expect(volumes.filter((v) => v.Name.endsWith(standIn.id))).toEqual([]);
  });
});

async function pushedImages(): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const name of ["worker", "sidecar"]) {
    const tags = await registry.tags(`eve/${instance}-${name}`);
    if (tags.length > 0) found[name] = tags;
  }
  return found;
}
