/**
 * openstack workers, black-box: `eve run` and `eve reap` in their own
 * processes with nothing but OS_* / EVE_OPENSTACK_* settings. CI runs them
 * against the stand-in, whose servers are real VMs; with OS_AUTH_URL set
 * (and EVE_TEST_OPENSTACK_IMAGE, EVE_TEST_OPENSTACK_FLAVOR) the same tests
 * run against that cloud, except those that need the stand-in to misbehave
 * on purpose (ERROR server, silent SSH, quota 1) or to look inside it.
 *
 * VM boots cost 15–60 s of two shared cores each: five in all here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEveTmpdir } from "../../helpers/eve-tmpdir.js";
import { freePort } from "../../helpers/free-port.js";
import { startOpenStackStandIn, type OpenStackStandIn } from "../../helpers/openstack-stand-in/openstack-stand-in.js";
import { ensureVmKit } from "../../helpers/openstack-stand-in/vm-kit.js";

const realCloud = process.env.OS_AUTH_URL !== undefined;
const image = realCloud ? (process.env.EVE_TEST_OPENSTACK_IMAGE ?? "") : "debian-12";
const flavor = realCloud ? (process.env.EVE_TEST_OPENSTACK_FLAVOR ?? "") : "m1.small";
const PASSWORD = "stand-in-password-0b8f";

let standIn: OpenStackStandIn | undefined;
let standInDir = "";
let repo = "";
let settings: Record<string, string> = {};
const eveTmp = useEveTmpdir();

/** `eve <args>` from the sources, in its own process, with the openstack settings (and no other EVE_OPENSTACK_* of the caller's). */
function eve(args: string[], extra: Record<string, string> = {}): ChildProcess {
  const env = eveTmp.env({ ...settings, ...extra });
  const script = `const { main } = await import("./src/cli/main.ts"); process.exitCode = await main(${JSON.stringify(args)});`;
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], { stdio: ["ignore", "pipe", "pipe"], env });
}

function finish(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = "";
  child.stdout?.on("data", (data: Buffer) => (output += data.toString()));
  child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

/** Resolves once `eve run` printed `marker` (a step is running). */
function waitForOutput(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (data: Buffer) => {
      seen += data.toString();
      if (seen.includes(marker)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`eve run ended (${String(code)}) before '${marker}':\n${seen}`)));
  });
}

/** The results of `eve run --report` (JSON). */
function report(name: string): { name: string; result: string; steps: { name: string; result: string }[] }[] {
  return (JSON.parse(readFileSync(join(repo, `${name}.json`), "utf8")) as { stages: { name: string; result: string; steps: { name: string; result: string }[] }[] }).stages;
}

beforeAll(async () => {
  if (realCloud) {
    settings = {};
  } else {
    const sshPort = await freePort();
    standIn = await startOpenStackStandIn({
      kitDir: ensureVmKit,
      workDir: (standInDir = mkdtempSync(join(tmpdir(), "eve-openstack-stand-in-"))),
      sshPort,
      users: [{ name: "eve", password: PASSWORD }],
      images: [
        { id: "8d2c7c1e-4f2b-4d38-9a53-0a8e5b1c2d3e", name: "debian-12", behaviour: "boot" },
        { id: "1b5e0f7a-2c3d-4e5f-8a9b-0c1d2e3f4a5b", name: "broken-image", behaviour: "error" },
        { id: "6f7e8d9c-0b1a-4c2d-9e3f-4a5b6c7d8e9f", name: "silent-image", behaviour: "no-ssh" },
      ],
      maxServers: 1,
    });
    settings = {
      OS_AUTH_URL: standIn.authUrl,
      OS_USERNAME: "eve",
      OS_PASSWORD: PASSWORD,
      OS_PROJECT_NAME: "eve",
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
      EVE_OPENSTACK_SSH_PORT: String(sshPort),
      EVE_OPENSTACK_POLL_INTERVAL: "0.5",
      EVE_OPENSTACK_REQUIREMENTS_DELAY: "0.5",
      EVE_OPENSTACK_QUOTA_RETRY: "2",
      EVE_OPENSTACK_BOOT_TIMEOUT: "400",
    };
  }
  repo = mkdtempSync(join(tmpdir(), "eve-run-openstack-"));
  mkdirSync(join(repo, "eve/vm"), { recursive: true });
  mkdirSync(join(repo, "eve/vm-failing"), { recursive: true });
  // init.sh leaves a mark the steps check; requirements.sh fails twice, then passes (its count lives in the VM).
  writeFileSync(join(repo, "eve/vm/init.sh"), '#!/bin/sh\necho "init as $(id -un) for version $1"\necho "$1" > /tmp/eve-init-version\n');
  writeFileSync(join(repo, "eve/vm/requirements.sh"), '#!/bin/sh\nn=$(( $(cat /tmp/eve-req 2>/dev/null || echo 0) + 1 ))\necho $n > /tmp/eve-req\necho "requirements attempt $n"\n[ "$n" -ge 3 ]\n');
  writeFileSync(join(repo, "eve/vm/start.sh"), "#!/bin/sh\nbuildbot-worker start\n");
  writeFileSync(join(repo, "eve/vm-failing/requirements.sh"), '#!/bin/sh\necho "requirements cannot be met"\nexit 7\n');
  const worker = (extra = ""): string => `{type: openstack, image: ${image}, flavor: ${flavor}${extra}}`;
  writeFileSync(
    join(repo, "eve/main.yml"),
    `version: 0.2
branches:
  default:
    stage: pair
stages:
  pair:
    worker: {type: local}
    steps:
      - TriggerStages: {stage_names: [vm, second]}
  vm:
    worker: ${worker(", path: eve/vm, resources: {vcpus: 1}")}
    steps:
      - ShellCommand: {name: kernel, command: 'echo "kernel=$(uname -r) end"; cat /proc/cmdline; echo "init=$(cat /tmp/eve-init-version) req=$(cat /tmp/eve-req)"'}
      - ShellCommand: {name: props, command: 'echo "prefix=%(prop:multivm_prefix)s image=%(prop:openstack_image)s"'}
  second:
    worker: ${worker()}
    steps:
      - ShellCommand: {name: second, command: 'echo second-ran-on-$(uname -r)'}
  failing-requirements:
    worker: ${worker(", path: eve/vm-failing")}
    steps:
      - ShellCommand: {name: never, command: "true"}
  broken:
    worker: {type: openstack, image: broken-image, flavor: ${flavor}}
    steps:
      - ShellCommand: {name: never, command: "true"}
  silent:
    worker: {type: openstack, image: silent-image, flavor: ${flavor}}
    steps:
      - ShellCommand: {name: never, command: "true"}
  unknown-flavor:
    worker: {type: openstack, image: ${image}, flavor: no-such-flavor}
    steps:
      - ShellCommand: {name: never, command: "true"}
  long:
    worker: ${worker()}
    steps:
      - ShellCommand: {name: long, command: echo long-step-running && sleep 600}
`,
  );
}, 120_000);

afterAll(async () => {
  await standIn?.close();
  for (const dir of [repo, standInDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.sequential("eve run with openstack workers", () => {
  it("boots a VM per stage, runs init.sh once and requirements.sh until it passes, runs the steps on the VM's own kernel, and deletes servers and key pairs; quota 1 makes the second stage wait", async () => {
    const hostKernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
    const { code, output } = await finish(eve(["run", "--dir", repo, "--report", join(repo, "pair.json")]));

    expect(output).toContain("init as root for version 0.0.0");
    expect(output).toMatch(/requirements attempt 1[\s\S]*requirements attempt 2[\s\S]*requirements attempt 3/);
    expect(output).toContain("start.sh skipped");
    const kernel = /kernel=(\S+) end/.exec(output)?.[1];
    expect(kernel).toBeDefined();
    expect(kernel).not.toBe(hostKernel);
    expect(output).toContain("init=0.0.0 req=3");
    expect(output).toMatch(/prefix=eve-\S+ image=debian-12/);
    expect(output).toMatch(/second-ran-on-\S+/);
    expect(output).not.toContain(PASSWORD);
    expect(code).toBe(0);
    const vm = report("pair").find((stage) => stage.name === "vm");
    expect(vm?.steps.map((step) => `${step.name} ${step.result}`)).toEqual(["init.sh success", "requirements.sh success", "kernel success", "props success"]);
    if (standIn) {
      expect(output).toContain("refused a server for quota");
      expect(standIn.servers.peak).toBe(1);
      expect(standIn.servers.live).toEqual([]);
      expect(standIn.servers.deleted).toHaveLength(2);
      expect(standIn.keypairNames).toEqual([]);
      expect(standIn.schemaViolations).toEqual([]);
      expect(standIn.responseViolations).toEqual([]);
    }
  }, 600_000);

  it("fails the stage when requirements.sh keeps failing, after every attempt, and deletes the server", async () => {
    const { code, output } = await finish(eve(["run", "--dir", repo, "--stage", "failing-requirements", "--report", join(repo, "failing.json")], { EVE_OPENSTACK_REQUIREMENTS_ATTEMPTS: "2" }));

    // A VM that did not boot in time has no attempts: the message is eve's output, which says why.
    expect(output.match(/requirements cannot be met/g), output).toHaveLength(2);
    expect(output).toContain("requirements.sh failed 2 times (last exit code 7)");
    expect(report("failing")[0]).toMatchObject({ result: "failure", steps: [{ name: "requirements.sh", result: "failure" }, { name: "never", result: "skipped" }] });
    expect(code).toBe(1);
    if (standIn) expect(standIn.servers.live).toEqual([]);
  }, 600_000);

  it.skipIf(realCloud)("an unknown flavor fails the stage (failure) before any server is created", async () => {
    const created = standIn?.requests.filter((r) => r.method === "POST" && r.path.endsWith("/servers")).length;

    const { code, output } = await finish(eve(["run", "--dir", repo, "--stage", "unknown-flavor", "--report", join(repo, "flavor.json")]));

    expect(output).toContain("the cloud has no flavor named 'no-such-flavor'");
    expect(report("flavor")[0]?.result).toBe("failure");
    expect(code).toBe(1);
    expect(standIn?.requests.filter((r) => r.method === "POST" && r.path.endsWith("/servers")).length).toBe(created);
  });

  it.skipIf(realCloud)("a server that goes ERROR fails the stage with the cloud's fault, and is deleted", async () => {
    const { code, output } = await finish(eve(["run", "--dir", repo, "--stage", "broken", "--report", join(repo, "broken.json")]));

    expect(output).toContain("went ERROR: No valid host was found");
    expect(report("broken")[0]?.result).toBe("exception");
    expect(code).toBe(1);
    expect(standIn?.servers.live).toEqual([]);
    expect(standIn?.responseViolations).toEqual([]);
  });

  it.skipIf(realCloud)("a server whose SSH never answers fails the stage at the boot timeout with its console's tail, and is deleted", async () => {
    const { code, output } = await finish(eve(["run", "--dir", repo, "--stage", "silent", "--report", join(repo, "silent.json")], { EVE_OPENSTACK_BOOT_TIMEOUT: "4" }));

    expect(output).toMatch(/SSH on 127\.10\.\S+ did not answer within 4 s[\s\S]*never starts sshd/);
    expect(report("silent")[0]?.result).toBe("exception");
    expect(code).toBe(1);
    expect(standIn?.servers.live).toEqual([]);
  });

  it("SIGTERM mid-step cancels the stage: the step is killed, the server deleted (its VM gone)", async () => {
    const run = eve(["run", "--dir", repo, "--stage", "long", "--report", join(repo, "long.json")]);
    const ended = finish(run);
    await waitForOutput(run, "long-step-running");
    const server = standIn?.servers.live[0];
    const qemu = await server?.vm?.pid;

    run.kill("SIGTERM");
    const { code } = await ended;

    expect(report("long")[0]?.result).toBe("cancelled");
    expect(code).not.toBe(0);
    if (standIn && server && qemu !== undefined) {
      expect(standIn.requests).toContainEqual(expect.objectContaining({ method: "DELETE", path: `/compute/v2.1/servers/${server.id}` }));
      expect(standIn.servers.live).toEqual([]);
      expect(() => process.kill(qemu, 0)).toThrow();
    }
  }, 600_000);

  it.skipIf(realCloud)("eve reap after a SIGKILL of eve run deletes that instance's server and key pair, and only those", async () => {
    // Another Eve's server beside this run's: room for both.
    if (standIn) standIn.maxServers = 2;
    const other = standIn?.servers.create(
      { name: "other-eve", image: standIn.images[2] ?? standIn.images[0]!, flavor: standIn.flavors[0]!, keyName: null, metadata: { "eve.instance": "another-eve", "eve.run": "r1" }, tags: ["eve", "eve.instance:another-eve"], networks: "auto" },
      undefined,
    );
    const run = eve(["run", "--dir", repo, "--stage", "long"]);
    const ended = finish(run);
    await waitForOutput(run, "long-step-running");
    run.kill("SIGKILL");
    await ended;
    expect(standIn?.servers.live).toHaveLength(2);

    const { code, output } = await finish(eve(["reap", "--instance", "eve-run"]));

    expect(output).toMatch(/removed vm eve-\S+ \(build \S+, stage long, attempt 1, run \S+\)/);
    expect(code).toBe(0);
    expect(standIn?.servers.live.map((server) => server.id)).toEqual([other?.id]);
    expect(standIn?.keypairNames).toEqual([]);
    if (other && standIn) await standIn.servers.delete(other);
    if (standIn) standIn.maxServers = 1;
  }, 600_000);
});
