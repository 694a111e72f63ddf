/**
 * From "create a server" to "SSH answers": the quota refusal waited out, the
 * status polled until ACTIVE (ERROR: the cloud's fault and the console's
 * tail), then SSH tried until it answers with the host key the console shows.
 * Everything is bounded by one deadline (EVE_OPENSTACK_BOOT_TIMEOUT) and the
 * stage's abort signal.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ProvisionError } from "../types.js";
import { QuotaExceededError, type NovaServer, type OpenStackClient, type ServerCreation } from "./openstack-client.js";
import type { OpenStackSettings } from "./openstack-settings.js";
import { parseConsoleHostKeys, SshConnection, type SshTarget } from "./ssh-connection.js";

const CONSOLE_TAIL_LINES = 50;

export interface BootContext {
  client: OpenStackClient;
  settings: OpenStackSettings;
  deadline: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** Creates the server, waiting while the quota refuses it. Returns its id. */
export async function createServerWhenQuotaAllows(boot: BootContext, creation: ServerCreation): Promise<string> {
  for (let refusals = 0; ; refusals++) {
    try {
      const id = await boot.client.createServer(creation);
      if (refusals > 0) boot.log(`the quota allowed the server after ${refusals} refusals`);
      return id;
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error;
      if (Date.now() + boot.settings.quotaRetryS * 1000 > boot.deadline) throw new ProvisionError(`the cloud's quota kept refusing a server until the boot timeout: ${error.message}`, { cause: error });
      if (refusals === 0) boot.log(`the cloud refused a server for quota (${error.message}); trying again every ${boot.settings.quotaRetryS} s`);
      await sleep(boot.settings.quotaRetryS * 1000, undefined, { signal: boot.signal });
    }
  }
}

/** Polls the server until ACTIVE. ERROR fails with the cloud's fault and the console's tail. */
export async function waitUntilActive(boot: BootContext, id: string): Promise<NovaServer> {
  for (;;) {
    const server = await boot.client.getServer(id);
    if (!server) throw new ProvisionError(`server ${id} disappeared while it was being built`);
    if (server.status === "ACTIVE") return server;
    if (server.status === "ERROR") {
      const fault = server.fault?.message ?? "no fault given";
      throw new ProvisionError(`server ${server.name} went ERROR: ${fault}${await consoleTail(boot.client, id)}`);
    }
    if (Date.now() > boot.deadline) throw new ProvisionError(`server ${server.name} was still ${server.status} after ${boot.settings.bootTimeoutS} s`);
    await sleep(boot.settings.pollIntervalS * 1000, undefined, { signal: boot.signal });
  }
}

/** The address Eve connects to: on EVE_OPENSTACK_SSH_NETWORK, else a floating one, else the first. */
export function pickAddress(server: NovaServer, network: string | undefined): string | undefined {
  const addresses = server.addresses ?? {};
  const candidates = network === undefined ? Object.values(addresses).flat() : (addresses[network] ?? []);
  const floating = candidates.find((address) => address["OS-EXT-IPS:type"] === "floating");
  return (floating ?? candidates.find((address) => address.version !== 6) ?? candidates[0])?.addr ?? (server.accessIPv4 || undefined);
}

/** Tries SSH until it answers; pins the host key the console shows, or the first one seen. */
export async function connectWhenSshAnswers(boot: BootContext, server: NovaServer, target: SshTarget): Promise<{ connection: SshConnection; hostKey: Buffer }> {
  let lastError = "";
  for (;;) {
    const consoleKeys = parseConsoleHostKeys(await boot.client.getConsoleOutput(server.id, 200).catch(() => ""));
    try {
      return await SshConnection.connect(target, consoleKeys.length > 0 ? consoleKeys : undefined, Math.max(1_000, Math.min(60_000, boot.deadline - Date.now())));
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > boot.deadline) {
      throw new ProvisionError(`SSH on ${target.host}:${target.port} did not answer within ${boot.settings.bootTimeoutS} s (${lastError})${await consoleTail(boot.client, server.id)}`);
    }
    await sleep(Math.min(boot.settings.pollIntervalS * 1000, 5_000), undefined, { signal: boot.signal });
  }
}

async function consoleTail(client: OpenStackClient, id: string): Promise<string> {
  const output = await client.getConsoleOutput(id, CONSOLE_TAIL_LINES).catch(() => "");
  return output.trim() === "" ? "" : `\nlast lines of the server's console:\n${output.trimEnd()}`;
}
