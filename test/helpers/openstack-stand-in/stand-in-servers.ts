/**
 * The stand-in's servers: each a real VM (qemu-vm.ts) reachable over SSH at
 * its own loopback address (127.10.x.y) on the stand-in's SSH port, as a
 * cloud's server is at its own address on port 22. Images decide what a
 * server does: boot, go ERROR with a fault, or boot nothing SSH can reach.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { generateSshKeyPair } from "../../../src/provisioners/openstack/ssh-connection.js";
import { startQemuVm, type QemuVm } from "./qemu-vm.js";

export type ImageBehaviour = "boot" | "error" | "no-ssh";
export interface StandInImage {
  id: string;
  name: string;
  behaviour: ImageBehaviour;
}
export interface StandInFlavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}

export interface StandInServer {
  id: string;
  name: string;
  status: "BUILD" | "ACTIVE" | "ERROR" | "DELETED";
  created: string;
  updated: string;
  image: StandInImage;
  flavor: StandInFlavor;
  keyName: string | null;
  metadata: Record<string, string>;
  tags: string[];
  networks: unknown;
  address: string;
  fault?: { message: string; code: number; created: string };
  vm?: QemuVm;
  /** Console output of servers that boot no VM. */
  console: string;
}

export const NO_VALID_HOST = "No valid host was found. There are not enough hosts available.";

export class StandInServers {
  readonly servers = new Map<string, StandInServer>();
  /** Ids of servers deleted, in order, for tests. */
  readonly deleted: string[] = [];
  /** The most servers that existed at once. */
  peak = 0;
  private nextAddress = 2;

  private readonly options: { kitDir: () => string; workDir: string; sshPort: number };

  constructor(options: { kitDir: () => string; workDir: string; sshPort: number }) {
    this.options = options;
  }

  /** Creates the server and starts its VM; it is ACTIVE once qemu runs (the guest boots afterwards, as on a cloud). */
  create(input: Omit<StandInServer, "id" | "status" | "created" | "updated" | "address" | "console">, publicKey: string | undefined): StandInServer {
    const now = new Date().toISOString();
    const n = this.nextAddress++;
    const server: StandInServer = {
      ...input,
      id: randomUUID(),
      status: "BUILD",
      created: now,
      updated: now,
      address: `127.10.${Math.floor(n / 250)}.${(n % 250) + 2}`,
      console: "",
    };
    this.servers.set(server.id, server);
    this.peak = Math.max(this.peak, this.live.length);
    // Nova answers 202 at once and builds afterwards.
    setImmediate(() => this.build(server, publicKey));
    return server;
  }

  private build(server: StandInServer, publicKey: string | undefined): void {
    if (server.status === "DELETED") return;
    server.updated = new Date().toISOString();
    if (server.image.behaviour === "error") {
      server.status = "ERROR";
      server.fault = { message: NO_VALID_HOST, code: 500, created: server.updated };
      server.console = "";
      return;
    }
    if (server.image.behaviour === "no-ssh") {
      server.status = "ACTIVE";
      server.console = "[    0.000000] Linux version 6.1.0 (stand-in: this server never starts sshd)\n";
      return;
    }
    const dir = join(this.options.workDir, server.id);
    mkdirSync(dir, { recursive: true });
    server.vm = startQemuVm({
      kitDir: this.options.kitDir(),
      name: server.name.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 63) || "server",
      dir,
      authorizedKeys: publicKey ? `${publicKey}\n` : "",
      hostKey: generateSshKeyPair(),
      sshPort: this.options.sshPort,
      bindAddress: server.address,
    });
    server.status = "ACTIVE";
    // A guest that dies on its own is a server in ERROR, as Nova reports a crashed instance.
    void server.vm.exited.then(() => {
      if (server.status !== "ACTIVE") return;
      server.status = "ERROR";
      server.fault = { message: `the VM stopped: ${server.vm?.readErrors().trim() ?? ""}`, code: 500, created: new Date().toISOString() };
    });
  }

  consoleOf(server: StandInServer): string {
    return server.vm ? server.vm.readConsole() : server.console;
  }

  /** Deletes the server: its VM is stopped, then the server is gone (404). */
  async delete(server: StandInServer): Promise<void> {
    if (server.status === "DELETED") return;
    server.status = "DELETED";
    await server.vm?.stop();
    this.servers.delete(server.id);
    this.deleted.push(server.id);
    rmSync(join(this.options.workDir, server.id), { recursive: true, force: true });
  }

  /** Servers that count against the quota. */
  get live(): StandInServer[] {
    return [...this.servers.values()].filter((server) => server.status !== "DELETED");
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers.values()].map((server) => this.delete(server)));
  }
}
