/**
 * The provisioner contract for `type: kube_pod`: pods of the Kubernetes
 * stand-in (test/helpers/kube-stand-in: its pods are real Docker containers),
 * reached through the unchanged @kubernetes/client-node client.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { BUSYBOX_IMAGE, ensureBusyboxImage } from "../helpers/busybox-image.js";
import { KubeStandIn } from "../helpers/kube-stand-in/kube-stand-in.js";
import { describeProvisionerContract } from "./provisioner-contract.js";

const TEMPLATE = `apiVersion: v1
kind: Pod
metadata: {name: worker}
spec:
  containers:
    - name: worker
      image: ${BUSYBOX_IMAGE}
      command: [sh, -c, "sleep 3600"]
      resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 250m, memory: 128Mi}}
`;

const standIn = new KubeStandIn();
const repoDir = mkdtempSync(join(tmpdir(), "eve-contract-kube-"));

beforeAll(async () => {
  ensureBusyboxImage();
  await standIn.start();
  mkdirSync(join(repoDir, "eve"), { recursive: true });
  writeFileSync(join(repoDir, "eve/pod.yaml"), TEMPLATE);
}, 60_000);

afterAll(async () => {
  await standIn.stop();
  rmSync(repoDir, { recursive: true, force: true });
});

describeProvisionerContract("kube_pod", () => ({
  type: "kube_pod",
  // client-node refuses plain HTTP unless TLS checks are off; the stand-in speaks HTTP.
  env: { EVE_KUBE_SERVER: standIn.url, EVE_KUBE_TOKEN: standIn.token, EVE_KUBE_SKIP_TLS_VERIFY: "on", EVE_KUBE_NAMESPACE: "default", EVE_KUBE_DELETE_GRACE: "1", EVE_KUBE_START_TIMEOUT: "60" },
  context: {},
  spec: { type: "kube_pod", path: "eve/pod.yaml" },
  killedBySignalExitCode: 137,
  repoDir,
  async listResources(instance) {
    // Labels on Kubernetes objects are sanitized; the exact values are in the annotations.
    return standIn
      .list("Pod")
      .map((key) => standIn.get("Pod", key.split("/")[0] ?? "", key.split("/")[1] ?? "")?.metadata?.annotations as Record<string, string> | undefined)
      .filter((annotations): annotations is Record<string, string> => annotations?.["eve.instance"] === instance);
  },
  async loseResource(workspace) {
    const response = await fetch(`${standIn.url}/api/v1/namespaces/default/pods/${workspace.id}?gracePeriodSeconds=0`, { method: "DELETE", headers: { authorization: `Bearer ${standIn.token}` } });
    if (!response.ok) throw new Error(`the stand-in did not delete the pod: ${response.status}`);
  },
}));
