/**
 * One real virtual machine: qemu-system-x86_64 booting Debian's kernel with
 * the VM kit's initramfs (scripts/prepare-vm-kit.sh). The guest's root is the
 * host's, shared read-only over 9p under a tmpfs overlay; its sshd listens on
 * a loopback port through qemu's user network (restrict=on: the guest reaches
 * nothing, only the forwarded port reaches it). No KVM is assumed: TCG boots it
 * in 8–25 s on two busy cores.
 *
 * qemu runs under a small sh watcher that kills it when this process's pipe to
 * it closes, so that a crashed test or stand-in leaves no VM behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface QemuVmOptions {
  /** The VM kit's folder (vmlinuz, initramfs.img, openssh/). */
  kitDir: string;
  /** Guest hostname; also qemu's `-name`, so `ps` shows which server a qemu is. */
  name: string;
  /** A folder for this VM only: its configuration share and console log. */
  dir: string;
  /** authorized_keys content for root. */
  authorizedKeys: string;
  /** The guest's sshd host key (OpenSSH private key and its public line). */
  hostKey: { private: string; public: string };
  /** Port forwarded to the guest's port 22. */
  sshPort: number;
  /** Loopback address the port is bound on (default 127.0.0.1): one per VM lets every VM use the same port. */
  bindAddress?: string;
  memoryMb?: number;
}

export interface QemuVm {
  /** The qemu process's pid (not the watcher's). */
  readonly pid: Promise<number>;
  readonly consolePath: string;
  /** Resolves when qemu has exited, for whatever reason. */
  readonly exited: Promise<void>;
  /** The console output so far (the serial port). */
  readConsole(): string;
  /** What qemu itself said on stderr (why it did not start, why it stopped). */
  readErrors(): string;
  /** Stops qemu (SIGTERM, then SIGKILL) and resolves once it is gone. */
  stop(): Promise<void>;
}

// Kills qemu when stdin closes (the parent went away or asked for it). A
// background job's stdin is /dev/null in sh, hence the copy on fd 3.
const WATCHER =
  'exec 3<&0; qemu-system-x86_64 "$@" </dev/null & q=$!; echo "$q" >&2; { cat <&3 >/dev/null; kill "$q" 2>/dev/null; } & w=$!; wait "$q"; kill "$w" 2>/dev/null; exit 0';

export function startQemuVm(options: QemuVmOptions): QemuVm {
  const configDir = join(options.dir, "config");
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, "authorized_keys"), options.authorizedKeys, { mode: 0o600 });
  writeFileSync(join(configDir, "ssh_host_ed25519_key"), options.hostKey.private, { mode: 0o600 });
  writeFileSync(join(configDir, "ssh_host_ed25519_key.pub"), `${options.hostKey.public}\n`);
  writeFileSync(join(configDir, "hostname"), `${options.name}\n`);
  writeFileSync(join(configDir, "kit"), `${options.kitDir}\n`);
  const consolePath = join(options.dir, "console.log");
  writeFileSync(consolePath, "");

  const args = [
    ...["-name", options.name, "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"],
    ...["-machine", "q35,accel=tcg", "-cpu", "max", "-m", String(options.memoryMb ?? 512), "-smp", "1"],
    ...["-kernel", join(options.kitDir, "vmlinuz"), "-initrd", join(options.kitDir, "initramfs.img")],
    ...["-append", "console=ttyS0 panic=-1 loglevel=4 mitigations=off"],
    ...["-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"],
    ...["-virtfs", `local,path=${configDir},mount_tag=evecfg,security_model=none,readonly=on`],
    ...["-netdev", `user,id=n0,restrict=on,hostfwd=tcp:${options.bindAddress ?? "127.0.0.1"}:${options.sshPort}-:22`],
    ...["-device", "virtio-net-pci,netdev=n0", "-device", "virtio-rng-pci"],
    ...["-serial", `file:${consolePath}`],
  ];
  const child: ChildProcess = spawn("/bin/sh", ["-c", WATCHER, "eve-qemu", ...args], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  const pid = new Promise<number>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /^(\d+)$/m.exec(stderr);
      if (match?.[1]) resolve(Number(match[1]));
    });
    child.on("error", reject);
    child.on("exit", () => reject(new Error(`qemu did not start: ${stderr.trim()}`)));
  });
  pid.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));

  return {
    pid,
    consolePath,
    exited,
    readConsole: () => readFileSync(consolePath, "utf8"),
    readErrors: () => stderr.replace(/^\d+\n/, ""),
    async stop() {
      child.stdin?.end();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killTimer = setTimeout(() => {
        void pid.then((qemu) => {
          try {
            process.kill(qemu, "SIGKILL");
          } catch {
            // already gone
          }
        });
      }, 5_000);
      await exited;
      clearTimeout(killTimer);
    },
  };
}
