/**
 * The Glance and Nova calls Eve makes, over a Keystone session. No OpenStack
 * SDK exists on npm worth depending on (STACK.md): these are plain REST calls
 * at the pinned compute microversion.
 */
import { KeystoneSession, OpenStackApiError } from "./keystone-session.js";
import type { OpenStackSettings } from "./openstack-settings.js";

export interface ServerAddress {
  addr: string;
  version?: number;
  "OS-EXT-IPS:type"?: string;
}

export interface NovaServer {
  id: string;
  name: string;
  status: string;
  metadata: Record<string, string>;
  tags?: string[];
  key_name?: string | null;
  addresses?: Record<string, ServerAddress[]>;
  accessIPv4?: string;
  fault?: { message?: string; details?: string };
}

export interface ServerCreation {
  name: string;
  imageRef: string;
  flavorRef: string;
  key_name: string;
  networks: { uuid: string }[] | "auto";
  metadata: Record<string, string>;
  tags: string[];
}

/** The cloud refused a server for quota: wait and retry, it is not the build's fault. */
export class QuotaExceededError extends OpenStackApiError {}

export class OpenStackClient {
  readonly #session: KeystoneSession;

  constructor(settings: OpenStackSettings) {
    this.#session = new KeystoneSession(settings);
  }

  /** Ids of the images with exactly this name (Glance's name filter). */
  async findImageIds(name: string): Promise<string[]> {
    const { body } = await this.#session.request("image", "GET", `/images?name=${encodeURIComponent(name)}`);
    return ((body as { images?: { id: string; name: string }[] }).images ?? []).filter((image) => image.name === name).map((image) => image.id);
  }

  /** Ids of the flavors with this name or id. */
  async findFlavorIds(name: string): Promise<string[]> {
    const { body } = await this.#session.request("compute", "GET", "/flavors/detail");
    return ((body as { flavors?: { id: string; name: string }[] }).flavors ?? []).filter((flavor) => flavor.name === name || flavor.id === name).map((flavor) => flavor.id);
  }

  async createKeypair(name: string, publicKey: string): Promise<void> {
    await this.#session.request("compute", "POST", "/os-keypairs", { keypair: { name, public_key: publicKey, type: "ssh" } });
  }

  /** Deletes a key pair; one already gone is fine. */
  async deleteKeypair(name: string): Promise<void> {
    await ignoreNotFound(this.#session.request("compute", "DELETE", `/os-keypairs/${encodeURIComponent(name)}`));
  }

  async createServer(server: ServerCreation): Promise<string> {
    try {
      const { body } = await this.#session.request("compute", "POST", "/servers", { server });
      return (body as { server: { id: string } }).server.id;
    } catch (error) {
      // Nova: 403 "Quota exceeded for instances…" (and 413 from older clouds).
      if (error instanceof OpenStackApiError && (error.status === 413 || (error.status === 403 && /quota/i.test(error.message)))) {
        throw new QuotaExceededError(error.message, error.status, { cause: error });
      }
      throw error;
    }
  }

  /** The server, or undefined once it is gone. */
  async getServer(id: string): Promise<NovaServer | undefined> {
    const response = await ignoreNotFound(this.#session.request("compute", "GET", `/servers/${encodeURIComponent(id)}`));
    return response === undefined ? undefined : (response.body as { server: NovaServer }).server;
  }

  /** Servers carrying every one of these tags. */
  async listServers(tags: string[]): Promise<NovaServer[]> {
    const { body } = await this.#session.request("compute", "GET", `/servers/detail?tags=${encodeURIComponent(tags.join(","))}`);
    return (body as { servers?: NovaServer[] }).servers ?? [];
  }

  /** Asks for the deletion; one already gone is fine. */
  async deleteServer(id: string): Promise<void> {
    await ignoreNotFound(this.#session.request("compute", "DELETE", `/servers/${encodeURIComponent(id)}`));
  }

  /** The last `lines` lines of the server's console. */
  async getConsoleOutput(id: string, lines: number): Promise<string> {
    const { body } = await this.#session.request("compute", "POST", `/servers/${encodeURIComponent(id)}/action`, { "os-getConsoleOutput": { length: lines } });
    return String((body as { output?: unknown }).output ?? "");
  }
}

async function ignoreNotFound<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof OpenStackApiError && error.status === 404) return undefined;
    throw error;
  }
}
