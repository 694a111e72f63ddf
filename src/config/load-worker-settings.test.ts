import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_DOCKER_SETTINGS, type DockerSettings } from "../provisioners/docker/docker-settings.js";
import type { KubePodWorkerSettings } from "../provisioners/kubernetes/kube-pod-worker-type.js";
import { DEFAULT_KUBE_SETTINGS } from "../provisioners/kubernetes/kube-settings.js";
import { getWorkerSettings, loadWorkerSettings as loadAll, workerSettingsSecrets as allSecrets, type WorkerSettings } from "./load-worker-settings.js";
import { SETTINGS } from "./settings.js";

/** The docker and kube_pod modules' settings, as the registry loaded them. */
function loadWorkerSettings(env: NodeJS.ProcessEnv) {
  const { settings: all, errors } = loadAll(env);
  const kube = getWorkerSettings(all, "kube_pod")?.settings as KubePodWorkerSettings;
  const settings = { all, docker: getWorkerSettings(all, "docker")?.settings as DockerSettings, kubernetes: kube.kubernetes, kubeAccessProblems: getWorkerSettings(all, "kube_pod")?.problems };
  return { settings, errors };
}
const workerSettingsSecrets = (settings: { all: WorkerSettings }) => allSecrets(settings.all);

const dir = mkdtempSync(join(tmpdir(), "eve-worker-settings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const kubeconfig = file(
  "kubeconfig",
  `apiVersion: v1
kind: Config
current-context: ci
clusters: [{name: c, cluster: {server: "https://kube.example.com:6443"}}]
users: [{name: u, user: {token: abc}}]
contexts:
  - {name: ci, context: {cluster: c, user: u, namespace: builds}}
  - {name: other, context: {cluster: c, user: u}}
`,
);
const TOKEN = "very-secret-kube-token";

describe("loadWorkerSettings", () => {
  it("applies Eve's defaults: everything dangerous off, the in-cluster access (unusable outside a pod)", () => {
    const { settings, errors } = loadWorkerSettings({});

    expect(errors).toEqual([]);
    expect(settings.docker).toEqual(DEFAULT_DOCKER_SETTINGS);
    expect(settings.kubernetes).toEqual(DEFAULT_KUBE_SETTINGS);
    expect(settings.kubeAccessProblems).toEqual([
      "EVE_KUBE_ACCESS=in-cluster: Eve is not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set); use EVE_KUBE_CONFIG (a kubeconfig file) or EVE_KUBE_SERVER and EVE_KUBE_TOKEN",
    ]);
  });

  it("reads every docker setting", () => {
    const { settings, errors } = loadWorkerSettings({
      DOCKER_HOST: "unix:///run/other.sock",
      EVE_DOCKER_MAX_MEMORY: "512m",
      EVE_DOCKER_CPUS: "0.5",
      EVE_DOCKER_NETWORK: "host",
      EVE_DOCKER_PRIVILEGED: "on",
      EVE_DOCKER_MOUNT_SOCKET: "yes",
      EVE_DOCKER_BIND_PATHS: "/srv/cache, /data",
      EVE_DOCKER_MAX_IMAGES: "0",
    });

    expect(errors).toEqual([]);
    expect(settings.docker).toEqual({
      ...DEFAULT_DOCKER_SETTINGS,
      engine: { host: "unix:///run/other.sock" },
      maxMemory: "512m",
      cpus: 0.5,
      networkMode: "host",
      privileged: true,
      mountDockerSocket: true,
      allowedBindPaths: ["/srv/cache", "/data"],
      maxCachedImages: 0,
    });
  });

  it("takes a TLS engine's client certificate from DOCKER_CERT_PATH", () => {
    const certs = mkdtempSync(join(dir, "certs-"));
    for (const name of ["ca.pem", "cert.pem", "key.pem"]) writeFileSync(join(certs, name), "pem");
    const env = { DOCKER_HOST: "tcp://docker.example.com:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs };

    expect(loadWorkerSettings(env).settings.docker.engine).toEqual({ host: "tcp://docker.example.com:2376", tlsVerify: true, certPath: certs });
    rmSync(join(certs, "key.pem"));
    expect(loadWorkerSettings(env).errors).toEqual([`DOCKER_CERT_PATH=${certs}: no readable key.pem (needed with DOCKER_TLS_VERIFY)`]);
  });

  it.each([
    ["DOCKER_HOST", "docker.example.com:2375", "DOCKER_HOST=docker.example.com:2375: expected unix:///path/to/docker.sock or tcp://host:port"],
    ["DOCKER_TLS_VERIFY", "sure", "DOCKER_TLS_VERIFY=sure: expected on or off"],
    ["EVE_DOCKER_MAX_MEMORY", "lots", "EVE_DOCKER_MAX_MEMORY=lots: expected a Docker memory size of at least 6m, e.g. 4G or 512m"],
    ["EVE_DOCKER_MAX_MEMORY", "1m", "EVE_DOCKER_MAX_MEMORY=1m: expected a Docker memory size of at least 6m, e.g. 4G or 512m"],
    ["EVE_DOCKER_CPUS", "0", "EVE_DOCKER_CPUS=0: expected a number of CPUs above 0, e.g. 1 or 0.5"],
    ["EVE_DOCKER_CPUS", "two", "EVE_DOCKER_CPUS=two: expected a number of CPUs above 0, e.g. 1 or 0.5"],
    ["EVE_DOCKER_NETWORK", "my net", "EVE_DOCKER_NETWORK=my net: expected none, host, bridge or the name of a Docker network"],
    ["EVE_DOCKER_PRIVILEGED", "maybe", "EVE_DOCKER_PRIVILEGED=maybe: expected on or off"],
    ["EVE_DOCKER_MOUNT_SOCKET", "2", "EVE_DOCKER_MOUNT_SOCKET=2: expected on or off"],
    ["EVE_DOCKER_BIND_PATHS", "/srv,cache,./x", "EVE_DOCKER_BIND_PATHS=/srv,cache,./x: cache, ./x not absolute (expected absolute host paths, comma-separated)"],
    ["EVE_DOCKER_MAX_IMAGES", "-1", "EVE_DOCKER_MAX_IMAGES=-1: expected a whole number ≥ 0"],
    ["EVE_KUBE_ACCESS", "magic", "EVE_KUBE_ACCESS=magic: expected in-cluster, kubeconfig, token"],
    ["EVE_KUBE_NAMESPACE", "Build_NS", "EVE_KUBE_NAMESPACE=Build_NS: expected a namespace name (lower-case letters, digits and dashes, ≤ 63)"],
    ["EVE_KUBE_REGISTRY", "https://registry.example.com", "EVE_KUBE_REGISTRY=https://registry.example.com: expected a registry host and optional path, without scheme, e.g. registry.example.com/eve"],
    ["EVE_KUBE_MAX_CPU", "fast", "EVE_KUBE_MAX_CPU=fast: expected a Kubernetes quantity above 0, e.g. 1 or 500m"],
    ["EVE_KUBE_MAX_MEMORY", "0", "EVE_KUBE_MAX_MEMORY=0: expected a Kubernetes quantity above 0, e.g. 4G or 512Mi"],
    ["EVE_KUBE_ACTIVE_DEADLINE", "0", "EVE_KUBE_ACTIVE_DEADLINE=0: expected a whole number ≥ 1"],
    ["EVE_KUBE_START_TIMEOUT", "10m", "EVE_KUBE_START_TIMEOUT=10m: expected a whole number ≥ 1"],
    ["EVE_KUBE_DELETE_GRACE", "-5", "EVE_KUBE_DELETE_GRACE=-5: expected a whole number ≥ 0"],
    ["EVE_KUBE_NODE_AFFINITY", "{nodeSelector", "EVE_KUBE_NODE_AFFINITY={nodeSelector: expected JSON of a NodeAffinity object (not valid JSON)"],
    ["EVE_KUBE_NODE_AFFINITY", "[]", "EVE_KUBE_NODE_AFFINITY=[]: expected JSON of a NodeAffinity object (not an object)"],
    ["EVE_KUBE_TOLERATIONS", `[{"key":"ci","effect":"Sometimes"}]`, `EVE_KUBE_TOLERATIONS=[{"key":"ci","effect":"Sometimes"}]: expected JSON of a list of Toleration objects (effect must be equal to one of the allowed values)`],
    ["EVE_KUBE_SERVICES", "/nonexistent/services.yaml", "EVE_KUBE_SERVICES=/nonexistent/services.yaml: cannot read it (ENOENT)"],
  ])("%s=%s is refused with one message", (name, value, message) => {
    expect(loadWorkerSettings({ [name]: value }).errors).toEqual([message]);
  });

  it("names only settings of the table", () => {
    const known = new Set(SETTINGS.map((setting) => setting.name));
    const named = ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "EVE_DOCKER_MAX_MEMORY", "EVE_DOCKER_CPUS", "EVE_DOCKER_NETWORK", "EVE_DOCKER_PRIVILEGED", "EVE_DOCKER_MOUNT_SOCKET", "EVE_DOCKER_BIND_PATHS", "EVE_DOCKER_MAX_IMAGES", "EVE_KUBE_ACCESS", "EVE_KUBE_CONFIG", "EVE_KUBE_CONTEXT", "EVE_KUBE_SERVER", "EVE_KUBE_TOKEN", "EVE_KUBE_CA_FILE", "EVE_KUBE_SKIP_TLS_VERIFY", "EVE_KUBE_NAMESPACE", "EVE_KUBE_REGISTRY", "EVE_KUBE_MAX_CPU", "EVE_KUBE_MAX_MEMORY", "EVE_KUBE_ACTIVE_DEADLINE", "EVE_KUBE_START_TIMEOUT", "EVE_KUBE_DELETE_GRACE", "EVE_KUBE_NODE_AFFINITY", "EVE_KUBE_TOLERATIONS", "EVE_KUBE_SERVICES"];

    expect(named.filter((name) => !known.has(name))).toEqual([]);
  });

  it("reads the pod policy, registry and timeouts", () => {
    const affinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "ci", operator: "In", values: ["yes"] }] }] } };
    const tolerations = [{ key: "ci", operator: "Exists", effect: "NoSchedule" }];
    const { settings, errors } = loadWorkerSettings({
      EVE_KUBE_CONFIG: kubeconfig,
      EVE_KUBE_NAMESPACE: "eve-builds",
      EVE_KUBE_REGISTRY: "localhost:5000/eve",
      EVE_KUBE_MAX_CPU: "2500m",
      EVE_KUBE_MAX_MEMORY: "8Gi",
      EVE_KUBE_ACTIVE_DEADLINE: "3600",
      EVE_KUBE_START_TIMEOUT: "120",
      EVE_KUBE_DELETE_GRACE: "0",
      EVE_KUBE_NODE_AFFINITY: JSON.stringify(affinity),
      EVE_KUBE_TOLERATIONS: JSON.stringify(tolerations),
    });

    expect(errors).toEqual([]);
    expect(settings.kubernetes).toEqual({
      ...DEFAULT_KUBE_SETTINGS,
      access: { mode: "kubeconfig", path: kubeconfig },
      namespace: "eve-builds",
      registry: "localhost:5000/eve",
      policy: { maxCpu: "2500m", maxMemory: "8Gi", maxActiveDeadlineSeconds: 3600, affinity: { nodeAffinity: affinity }, tolerations },
      startTimeoutSeconds: 120,
      deleteGraceSeconds: 0,
    });
  });

  describe("cluster access", () => {
    it("uses a kubeconfig (inferred from EVE_KUBE_CONFIG) and its context's namespace", () => {
      expect(loadWorkerSettings({ EVE_KUBE_CONFIG: kubeconfig }).settings).toMatchObject({ kubernetes: { access: { mode: "kubeconfig", path: kubeconfig }, namespace: "builds" }, kubeAccessProblems: [] });
      expect(loadWorkerSettings({ EVE_KUBE_ACCESS: "kubeconfig", KUBECONFIG: `${kubeconfig}:/other`, EVE_KUBE_CONTEXT: "other" }).settings).toMatchObject({ kubernetes: { access: { mode: "kubeconfig", path: kubeconfig, context: "other" }, namespace: "default" }, kubeAccessProblems: [] });
    });

    it("says why a kubeconfig cannot work", () => {
      const noCurrent = file("no-current", "contexts: [{name: a, context: {}}]\n");

      expect(loadWorkerSettings({ EVE_KUBE_CONFIG: join(dir, "missing") }).settings.kubeAccessProblems).toEqual([`EVE_KUBE_CONFIG=${join(dir, "missing")}: cannot read it (ENOENT)`]);
      expect(loadWorkerSettings({ EVE_KUBE_CONFIG: kubeconfig, EVE_KUBE_CONTEXT: "prod" }).settings.kubeAccessProblems).toEqual([`EVE_KUBE_CONTEXT=prod: no context 'prod' in ${kubeconfig} (contexts: ci, other)`]);
      expect(loadWorkerSettings({ EVE_KUBE_CONFIG: noCurrent }).settings.kubeAccessProblems).toEqual([`EVE_KUBE_CONFIG=${noCurrent}: it has no current-context; set EVE_KUBE_CONTEXT`]);
    });

    it("uses a server and token (inferred from EVE_KUBE_SERVER), never quoting the token", () => {
      const ca = file("ca.pem", "pem");
      const good = loadWorkerSettings({ EVE_KUBE_SERVER: "https://kube.example.com:6443", EVE_KUBE_TOKEN: TOKEN, EVE_KUBE_CA_FILE: ca });
      const bad = loadWorkerSettings({ EVE_KUBE_ACCESS: "token", EVE_KUBE_SERVER: "kube.example.com", EVE_KUBE_TOKEN: TOKEN, EVE_KUBE_CA_FILE: join(dir, "no-ca"), EVE_KUBE_SKIP_TLS_VERIFY: "perhaps" });

      expect(good.errors).toEqual([]);
      expect(good.settings).toMatchObject({ kubernetes: { access: { mode: "token", server: "https://kube.example.com:6443", token: TOKEN, caFile: ca, skipTlsVerify: false } }, kubeAccessProblems: [] });
      expect(workerSettingsSecrets(good.settings)).toEqual([TOKEN]);
      expect(bad.errors).toEqual([
        "EVE_KUBE_SKIP_TLS_VERIFY=perhaps: expected on or off",
        "EVE_KUBE_SERVER=kube.example.com: expected the API server's URL, e.g. https://kube.example.com:6443",
        `EVE_KUBE_CA_FILE=${join(dir, "no-ca")}: cannot read it (ENOENT)`,
      ]);
      expect(loadWorkerSettings({ EVE_KUBE_ACCESS: "token" }).settings.kubeAccessProblems).toEqual([
        "EVE_KUBE_ACCESS=token: EVE_KUBE_SERVER is not set (the API server's URL)",
        "EVE_KUBE_ACCESS=token: EVE_KUBE_TOKEN is not set (a bearer token of Eve's service account)",
      ]);
      expect(JSON.stringify([bad.errors, bad.settings.kubeAccessProblems])).not.toContain(TOKEN);
    });
  });

  describe("EVE_KUBE_SERVICES", () => {
    it("reads the clusters offered to `service` stages", () => {
      const path = file(
        "services.yaml",
        `- attributes: {name: metalk8s, version: 2.4}
  access: {mode: kubeconfig, path: ${kubeconfig}, context: other}
  server: https://10.0.0.5:6443
  skipTlsVerify: true
- attributes: {name: plain}
  access: {mode: token, server: "http://127.0.0.1:8001", token: ${TOKEN}}
`,
      );
      const { settings, errors } = loadWorkerSettings({ EVE_KUBE_SERVICES: path });

      expect(errors).toEqual([]);
      expect(settings.kubernetes.services).toEqual([
        { attributes: { name: "metalk8s", version: "2.4" }, access: { mode: "kubeconfig", path: kubeconfig, context: "other" }, server: "https://10.0.0.5:6443", skipTlsVerify: true },
        { attributes: { name: "plain" }, access: { mode: "token", server: "http://127.0.0.1:8001", token: TOKEN } },
      ]);
      expect(workerSettingsSecrets(settings)).toEqual([TOKEN]);
    });

    it("names every wrong entry, without quoting tokens", () => {
      const path = file(
        "bad-services.yaml",
        `- attributes: {name: a}
  acess: {mode: in-cluster}
- attributes: {}
  access: {mode: kubeconfig, path: /nonexistent/config}
- attributes: {name: c}
  access: {mode: token, server: nowhere, token: ${TOKEN}}
  server: 42
- just a string
`,
      );
      const { settings, errors } = loadWorkerSettings({ EVE_KUBE_SERVICES: path });

      expect(errors).toEqual([
        `EVE_KUBE_SERVICES=${path}: [0].acess: unknown key (expected attributes, access, server, caData, skipTlsVerify)`,
        `EVE_KUBE_SERVICES=${path}: [0].access: expected {mode: in-cluster | kubeconfig | token, …}`,
        `EVE_KUBE_SERVICES=${path}: [1].attributes: expected a mapping such as {name: metalk8s, version: '2.4'}`,
        `EVE_KUBE_SERVICES=${path}: [1].access.path: cannot read /nonexistent/config`,
        `EVE_KUBE_SERVICES=${path}: [2].access.server: expected the API server's URL`,
        `EVE_KUBE_SERVICES=${path}: [2].server: expected the API server's URL as pods reach it`,
        `EVE_KUBE_SERVICES=${path}: [3]: expected a mapping {attributes, access, …}`,
      ]);
      expect(errors.join("\n")).not.toContain(TOKEN);
      expect(settings.kubernetes.services).toEqual([]);
      expect(loadWorkerSettings({ EVE_KUBE_SERVICES: file("map.yaml", "name: a\n") }).errors).toEqual([
        `EVE_KUBE_SERVICES=${join(dir, "map.yaml")}: expected a list of clusters, each {attributes, access, server?, caData?, skipTlsVerify?}`,
      ]);
    });
  });
});
