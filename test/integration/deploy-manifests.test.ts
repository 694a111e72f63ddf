/**
 * The Kubernetes deployment (deploy/kubernetes): rendered by a real kustomize
 * (`kustomize build`, as `kubectl apply -k` does), every object validated against the Kubernetes
 * schemas of `kubernetes-models`, and what Eve needs checked on top: settings
 * that exist, secrets from Secrets, probes, non-root, resources, RBAC.
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1";
import { ConfigMap, Namespace, Service, ServiceAccount } from "kubernetes-models/v1";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/config/settings.js";

const root = resolve(import.meta.dirname, "../..");
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "networking.k8s.io/v1/Ingress": Ingress,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
};

// Loose shapes: the schema validation above is what guarantees them.
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
}
interface PodSpec {
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string } }[];
}

function render(dir: string): K8sObject[] {
  const text = execFileSync("kustomize", ["build", join(root, dir)], { encoding: "utf8" });
  return parseAllDocuments(text).map((document) => document.toJS() as K8sObject);
}

const example = render("deploy/kubernetes/overlays/example");
const find = (kind: string, name: string): K8sObject => {
  const found = example.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return found;
};
const podSpec = (name: string): PodSpec => (find("Deployment", name).spec as { template: { spec: PodSpec } }).template.spec;

describe("deploy/kubernetes", () => {
  it.each(["deploy/kubernetes/base", "deploy/kubernetes/overlays/example"])("%s renders objects that match the Kubernetes schemas", (dir) => {
    const objects = render(dir);

    expect(objects.length).toBeGreaterThan(8);
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it("the schemas catch a broken object (the check is not vacuous)", () => {
    const broken = structuredClone(find("Deployment", "eve-worker"));
    (broken.spec as { replicas: unknown }).replicas = "five";

    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas must be integer/);
  });

  it("puts everything namespaced in the overlay's namespace, with its image and worker count", () => {
    const cluster = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding"]);

    expect(example.filter((object) => !cluster.has(object.kind) && object.metadata.namespace !== "eve")).toEqual([]);
    expect(podSpec("eve-app").containers[0]?.image).toBe("registry.example.com/ci/eve:0.1.0");
    expect((find("Deployment", "eve-worker").spec as { replicas: number }).replicas).toBe(5);
    expect((find("ClusterRoleBinding", "eve-worker").subjects as { namespace: string }[])[0]?.namespace).toBe("eve");
  });

  it("runs the app (probes on /healthz and /readyz) and `eve worker`, non-root, with resources and a drain grace", () => {
    const app = podSpec("eve-app");
    const worker = podSpec("eve-worker");

    expect(app.containers[0]?.livenessProbe?.httpGet?.path).toBe("/healthz");
    expect(app.containers[0]?.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(worker.containers[0]?.command).toEqual(["node", "bin/eve.js", "worker"]);
    for (const spec of [app, worker]) {
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(600);
      for (const container of spec.containers) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(["cpu", "memory"]);
        expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(["cpu", "memory"]);
      }
    }
  });

  it("reads secrets from Kubernetes Secrets and uses only real Eve settings", () => {
    const known = new Set([...SETTINGS.map((setting) => setting.name), "HOME"]);
    const settings = find("ConfigMap", "eve-settings").data as Record<string, string>;

    expect(Object.keys(settings).filter((name) => !known.has(name))).toEqual([]);
    for (const name of ["eve-app", "eve-worker"]) {
      const spec = podSpec(name);
      const env = new Map((spec.containers[0]?.env ?? []).map((variable) => [variable.name, variable]));
      expect([...env.keys()].filter((variable) => !known.has(variable))).toEqual([]);
      for (const secret of ["APP_ID", "WEBHOOK_SECRET", "REDIS_URL"]) {
        expect(env.get(secret)?.valueFrom?.secretKeyRef, `${name} ${secret}`).toBeDefined();
      }
      expect(env.get("PRIVATE_KEY_PATH")?.value).toBe("/etc/eve/github/private-key.pem");
      expect(spec.volumes?.find((volume) => volume.name === "github")?.secret?.secretName).toBe("eve-github");
      expect(spec.volumes?.find((volume) => volume.name === "build-secrets")?.secret?.secretName).toBe("eve-build-secrets");
      expect(spec.serviceAccountName).toBe("eve-worker");
      expect(find("ServiceAccount", spec.serviceAccountName ?? "")).toBeDefined();
    }
  });

  it("grants kube_pod workers pods, exec, logs, secrets, service accounts, roles, bindings and namespaces", () => {
    type Rule = { resources: string[]; verbs: string[] };
    const granted = (kind: string): Map<string, string[]> => {
      const map = new Map<string, string[]>();
      for (const rule of find(kind, "eve-worker").rules as Rule[]) for (const resource of rule.resources) map.set(resource, rule.verbs);
      return map;
    };
    const role = granted("Role");
    const clusterRole = granted("ClusterRole");

    for (const resource of ["pods", "secrets", "serviceaccounts", "roles", "rolebindings"]) {
      expect(role.get(resource), resource).toEqual(expect.arrayContaining(["get", "create", "delete"]));
    }
    expect(role.get("pods/exec")).toContain("create");
    expect(role.get("pods/log")).toContain("get");
    expect(clusterRole.get("namespaces")).toEqual(expect.arrayContaining(["create", "delete", "list"]));
    expect((find("RoleBinding", "eve-worker").subjects as { name: string }[])[0]?.name).toBe("eve-worker");
  });
});
