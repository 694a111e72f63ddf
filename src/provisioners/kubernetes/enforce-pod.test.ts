import { describe, expect, it } from "vitest";
import { enforcePod, IDLE_COMMAND, type EnforceOptions } from "./enforce-pod.js";

const options: EnforceOptions = {
  policy: { maxCpu: "1", maxMemory: "4G", maxActiveDeadlineSeconds: 86400 },
  name: "eve-run-1",
  labels: { "eve.run": "run-1" },
  annotations: { "eve.run": "run 1" },
  env: { STAGE: "pre-merge", RUNNING_IN_CI: "1" },
  interpolate: (value) => value.replace("%(prop:branch)s", "main").replace("%(secret:token)s", "s3cr3t"),
};

function container(name: string, extra = "", cpu = "500m", memory = "1Gi"): string {
  return `  - name: ${name}
    image: ${name}:1
    resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: ${cpu}, memory: ${memory}}}
${extra}`;
}

const pod = (containers: string, spec = ""): string => `apiVersion: v1
kind: Pod
metadata: {name: whatever, namespace: elsewhere, labels: {team: a}}
spec:
${spec}  containers:
${containers}`;

describe("enforcePod", () => {
  it("applies Eve's name, labels, env, restartPolicy and deadline; idles the buildbot-worker container; interpolates", () => {
    const text = pod(
      container("db", "    env: [{name: STAGE, value: mine}, {name: DB, value: '%(prop:branch)s'}]\n", "250m", "1Gi") +
        container("worker", "    command: [bash, -lc]\n    args: ['buildbot-worker create-worker . $X && buildbot-worker start']\n    env: [{name: TOKEN, value: '%(secret:token)s'}]\n", "250m", "1Gi"),
    );

    const result = enforcePod(text, options);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.workerContainer).toBe("worker");
    expect(result.pod.metadata).toEqual({ name: "eve-run-1", labels: { team: "a", "eve.run": "run-1" }, annotations: { "eve.run": "run 1" } });
    expect(result.pod.spec?.restartPolicy).toBe("Never");
    expect(result.pod.spec?.activeDeadlineSeconds).toBe(86400);
    const [db, worker] = result.pod.spec?.containers ?? [];
    expect(db?.env).toEqual([{ name: "DB", value: "main" }, { name: "STAGE", value: "pre-merge" }, { name: "RUNNING_IN_CI", value: "1" }]);
    expect(worker?.command).toEqual(IDLE_COMMAND);
    expect(worker?.args).toBeUndefined();
    expect(worker?.env).toEqual([{ name: "TOKEN", value: "s3cr3t" }, { name: "STAGE", value: "pre-merge" }, { name: "RUNNING_IN_CI", value: "1" }]);
  });

  it("takes the first container as the worker when none starts buildbot-worker, and sets the operator's affinity", () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "ci", operator: "In", values: ["yes"] }] }] } } };

    const result = enforcePod(pod(container("first") + container("second", "", "100m", "1Gi")), { ...options, policy: { ...options.policy, affinity } });

    expect(result.ok && result.workerContainer).toBe("first");
    expect(result.ok && result.pod.spec?.affinity).toEqual(affinity);
  });

  it("accepts init containers without resources (as Eve's templates write them) or within the maximum", () => {
    const init = "  initContainers:\n  - {name: bare, image: i, command: [sh, -c, 'iptables -L']}\n  - {name: sized, image: i, resources: {limits: {cpu: '1', memory: 4G}}}\n";

    expect(enforcePod(pod(container("a"), init), options).ok).toBe(true);
  });

  it("names the worker container as the pod does, after interpolation", () => {
    const result = enforcePod(pod(container("db") + container("w-%(prop:branch)s", "    command: [buildbot-worker]\n", "250m")), options);

    expect(result.ok && result.workerContainer).toBe("w-main");
    expect(result.ok && result.pod.spec?.containers[1]?.name).toBe("w-main");
  });

  it.each([
    ["a non-Pod", "apiVersion: v1\nkind: Service\nspec: {}\n", "kind must be 'Pod', not 'Service'"],
    ["two documents", `${pod(container("a"))}\n---\n${pod(container("b"))}`, "must hold one YAML document, not 2"],
    ["bad YAML", "kind: Pod\n  bad: [", "is not valid YAML"],
    ["restartPolicy Always", pod(container("a"), "  restartPolicy: Always\n"), "spec.restartPolicy must be 'Never', not 'Always'"],
    ["affinity", pod(container("a"), "  affinity: {}\n"), "spec.affinity is not allowed"],
    ["a long deadline", pod(container("a"), "  activeDeadlineSeconds: 100000\n"), "spec.activeDeadlineSeconds 100000 is above this Eve's maximum of 86400"],
    ["no limits", pod("  - name: a\n    image: a\n    resources: {requests: {cpu: 1, memory: 1Gi}}\n"), "spec.containers[0].resources.limits.cpu is required (container 'a')"],
    ["no memory request", pod("  - name: a\n    image: a\n    resources: {requests: {cpu: 1}, limits: {cpu: 1, memory: 1Gi}}\n"), "spec.containers[0].resources.requests.memory is required"],
    ["too much cpu", pod(container("a", "", "2")), "spec.containers[0].resources.limits.cpu '2' is above this Eve's maximum of 1"],
    ["too much memory", pod(container("a", "", "1", "5Gi")), "spec.containers[0].resources.limits.memory '5Gi' is above this Eve's maximum of 4G"],
    ["too much in total", pod(container("a", "", "600m") + container("b", "", "600m")), "the pod's total cpu limits (1200m) are above this Eve's maximum of 1"],
    ["an init container above the maximum", pod(container("a"), "  initContainers:\n  - {name: init, image: i, resources: {limits: {cpu: '64'}}}\n"), "spec.initContainers[0].resources.limits.cpu '64' is above this Eve's maximum of 1"],
    ["a bad quantity", pod(container("a", "", "lots")), "spec.containers[0].resources.limits.cpu 'lots' is not a Kubernetes quantity"],
    ["a schema violation", pod(container("a", "    ports: [{containerPort: http}]\n")), "the pod does not match Kubernetes' schema: spec.containers.0.ports.0.containerPort"],
  ])("refuses %s", (_name, text, message) => {
    const result = enforcePod(text, options);

    expect(result.ok ? "" : result.message).toContain(message);
  });
});
