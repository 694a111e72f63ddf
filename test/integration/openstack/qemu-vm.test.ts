/**
 * The stand-in's servers are real VMs: one boot, checked from the inside over
 * SSH (its own kernel, the host's programs, a pinned host key), then stopped
 * and checked gone. One boot only: they cost 10–30 s of two shared cores.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../helpers/free-port.js";
import { startQemuVm, type QemuVm } from "../../helpers/openstack-stand-in/qemu-vm.js";
import { ensureVmKit } from "../../helpers/openstack-stand-in/vm-kit.js";

const dirs: string[] = [];
const vms: QemuVm[] = [];
afterAll(async () => {
  for (const vm of vms) await vm.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Connects once the guest's sshd answers, checking its host key against `hostKey`. */
async function connectWhenUp(port: number, clientKey: string, hostKey: string, vm: QemuVm): Promise<ssh2.Client> {
  const expected = Buffer.from(hostKey.split(" ")[1] ?? "", "base64");
  for (;;) {
    const client = new ssh2.Client();
    const connected = await new Promise<boolean>((resolve) => {
      client.once("ready", () => resolve(true));
      // `on`, not `once`: a connection that failed may report a second error ("Connection lost before
      // handshake" as the guest's sshd restarts), which would otherwise be uncaught and fail the run.
      client.on("error", () => resolve(false));
      client.connect({
        host: "127.0.0.1",
        port,
        username: "root",
        privateKey: clientKey,
        readyTimeout: 60_000,
        hostVerifier: (key: Buffer) => key.equals(expected),
      });
    });
    if (connected) return client;
    client.end();
    const exited = await Promise.race([vm.exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 1_000))]);
    if (exited) throw new Error(`the VM stopped before SSH answered:\n${vm.readErrors()}\n${vm.readConsole()}`);
  }
}

function run(client: ssh2.Client, command: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let stdout = "";
      stream.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      stream.stderr.on("data", () => undefined);
      stream.on("close", (code: number | null) => resolve({ code, stdout }));
    });
  });
}

describe("a stand-in server's VM", () => {
  it("boots its own kernel, answers SSH with its host key, runs the host's programs, and is gone once stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eve-test-vm-"));
    dirs.push(dir);
    const hostKey = ssh2.utils.generateKeyPairSync("ed25519");
    const clientKey = ssh2.utils.generateKeyPairSync("ed25519");
    const port = await freePort();
    const vm = startQemuVm({ kitDir: ensureVmKit(), name: "eve-test-vm", dir, authorizedKeys: `${clientKey.public}\n`, hostKey, sshPort: port });
    vms.push(vm);

    const client = await connectWhenUp(port, clientKey.private, hostKey.public, vm);
    const inside = await run(client, "uname -r; cat /proc/cmdline; hostname; git --version; echo written > /etc/eve-probe && cat /etc/eve-probe");
    client.end();
    const qemuPid = await vm.pid;
    await vm.stop();

    const [kernel, cmdline, hostname, git, probe] = inside.stdout.trim().split("\n");
    expect(inside.code).toBe(0);
    expect(kernel).toMatch(/-amd64$/);
    expect(cmdline).toContain("console=ttyS0");
    expect(hostname).toBe("eve-test-vm");
    expect(git).toMatch(/^git version /);
    expect(probe).toBe("written");
    expect(vm.readConsole()).toContain(hostKey.public);
    expect(() => process.kill(qemuPid, 0)).toThrow();
  }, 240_000);
});
