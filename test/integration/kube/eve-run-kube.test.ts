/**
 * `eve run` and `eve reap` with kube_pod settings from the environment only
 * (EVE_KUBE_SERVER, EVE_KUBE_TOKEN, EVE_KUBE_MAX_CPU, …), against the API
 * server stand-in: the stage runs in a pod, the operator's maximum refuses a
 * greedy pod, the token never shows, and `eve reap` removes the pod of a
 * killed `eve run`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient } from "../../../src/provisioners/kubernetes/kube-client.js";
import { BUSYBOX_IMAGE, ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { useEveTmpdir } from "../../helpers/eve-tmpdir.js";
import { KubeStandIn } from "../../helpers/kube-stand-in/kube-stand-in.js";

let standIn: KubeStandIn;
let repo = "";
let settings: Record<string, string> = {};
const eveTmp = useEveTmpdir();

const POD = `apiVersion: v1
kind: Pod
metadata: {name: worker}
spec:
  containers:
    - name: worker
      image: ${BUSYBOX_IMAGE}
      command: [buildbot-worker, start]
      resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {cpu: "{{ vars.cpu }}", memory: 64Mi}}
`;

/** `eve <args>` from the sources, in its own process, with the kube settings (and no others of the caller's). */
function eve(args: string[]): ChildProcess {
  const env = eveTmp.env(settings);
  for (const name of Object.keys(env)) if ((name.startsWith("EVE_KUBE_") || name.startsWith("EVE_DOCKER_")) && !(name in settings)) delete env[name];
  const script = `const { main } = await import("./src/cli/main.ts"); process.exitCode = await main(${JSON.stringify(args)});`;
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], { stdio: ["ignore", "pipe", "pipe"], env });
}

function finish(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = "";
  child.stdout?.on("data", (data: Buffer) => (output += data.toString()));
  child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

const pods = async (): Promise<string[]> => (await new KubeClient({ mode: "token", server: standIn.url, token: standIn.token, skipTlsVerify: true }).listPods("default", "")).map((pod) => pod.name);

beforeAll(async () => {
  ensureBusyboxImage();
  standIn = new KubeStandIn({ terminationDelayMs: 60_000 });
  await standIn.start();
  // client-node refuses plain HTTP unless TLS checks are off; the stand-in speaks HTTP.
  settings = { EVE_KUBE_SERVER: standIn.url, EVE_KUBE_TOKEN: standIn.token, EVE_KUBE_SKIP_TLS_VERIFY: "on", EVE_KUBE_MAX_CPU: "1", EVE_KUBE_START_TIMEOUT: "30", EVE_KUBE_DELETE_GRACE: "1" };
  repo = mkdtempSync(join(tmpdir(), "eve-run-kube-"));
  mkdirSync(join(repo, "eve"));
  writeFileSync(join(repo, "eve/pod.yaml"), POD);
  writeFileSync(
    join(repo, "eve/main.yml"),
    `version: 0.2
branches:
  default:
    stage: pod
stages:
  pod:
    worker: {type: kube_pod, path: eve/pod.yaml, vars: {cpu: 250m}}
    steps:
      - ShellCommand: {name: in the pod, command: 'echo "stage=$STAGE ci=$RUNNING_IN_CI"'}
  greedy:
    worker: {type: kube_pod, path: eve/pod.yaml, vars: {cpu: "2"}}
    steps:
      - ShellCommand: {name: never, command: "true"}
  invalid:
    worker: {type: kube_pod, path: eve/pod.yaml, vars: {cpu: 50m}}
    steps:
      - ShellCommand: {name: never, command: "true"}
  long:
    worker: {type: kube_pod, path: eve/pod.yaml, vars: {cpu: 250m}}
    steps:
      - ShellCommand: {name: long, command: echo long-step-running && sleep 600}
`,
  );
}, 60_000);

afterAll(async () => {
  await standIn?.stop();
  rmSync(repo, { recursive: true, force: true });
});

describe("eve run and eve reap with EVE_KUBE_* settings", () => {
  it("runs a kube_pod stage in a pod of the configured cluster, without showing the token, and deletes the pod", async () => {
    const { code, output } = await finish(eve(["run", "--dir", repo, "--stage", "pod"]));

    expect(output).toContain("stage=pod ci=1");
    expect(code).toBe(0);
    expect(output).not.toContain(standIn.token);
    expect(await pods()).toEqual([]);
  });

  it("refuses a pod above EVE_KUBE_MAX_CPU, quoting the field", async () => {
    const { code, output } = await finish(eve(["run", "--dir", repo, "--stage", "greedy"]));

    expect(code).toBe(1);
    expect(output).toContain("spec.containers[0].resources.limits.cpu '2' is above this Eve's maximum of 1");
    expect(await pods()).toEqual([]);
  });

  it("a pod the API server refuses as invalid (requests above limits) fails the stage, quoting the field, instead of ending it in exception", async () => {
    const { code, output } = await finish(eve(["run", "--dir", repo, "--stage", "invalid", "--report", join(repo, "invalid.json")]));

    expect(code).toBe(1);
    expect(output).toMatch(/'eve\/pod.yaml': the cluster refused the pod: .*spec\.containers\[0\]\.resources\.requests: Invalid value: "100m": must be less than or equal to cpu limit of 50m/);
    expect(JSON.parse(readFileSync(join(repo, "invalid.json"), "utf8")).stages[0].result).toBe("failure");
    expect(await pods()).toEqual([]);
  });

  it("eve reap removes the pod of an `eve run` killed mid-step", async () => {
    const run = eve(["run", "--dir", repo, "--stage", "long"]);
    await new Promise<void>((resolve, reject) => {
      run.stdout?.on("data", (data: Buffer) => {
        if (data.toString().includes("long-step-running")) resolve();
      });
      run.once("exit", (code) => reject(new Error(`eve run ended early (${code})`)));
    });
    run.removeAllListeners("exit");
    const killed = new Promise((resolve) => run.once("exit", resolve));
    run.kill("SIGKILL");
    await killed;
    expect(await pods()).toHaveLength(1);

    const { code, output } = await finish(eve(["reap", "--instance", "eve-run"]));

    expect(output).toMatch(/removed pod \S+ \(build \S+, stage long, attempt 1, run \S+\)/);
    expect(code).toBe(0);
    expect(await pods()).toEqual([]);
    // Two eve processes started through tsx and a pod: ~25 s alone, more beside the whole suite.
  }, 90_000);
});
