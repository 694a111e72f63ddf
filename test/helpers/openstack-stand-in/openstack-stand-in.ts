/**
 * A stand-in of the OpenStack APIs Eve uses — Keystone v3 (password and
 * application-credential tokens, with expiry and a catalog), Glance (image
 * lookup by name) and Nova (flavors, key pairs, servers with tags and
 * metadata, console output, quota) — whose servers are real VMs
 * (stand-in-servers.ts). Every Nova request is checked against Nova's own
 * request schemas for its microversion and refused (400) as Nova would; the
 * refusals are also kept in `schemaViolations` for tests to assert none.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkNovaRequest } from "./nova-request-schemas.js";
import { checkTempestResponse, TEMPEST_MICROVERSION } from "./tempest-response-schemas.js";
import { StandInServers, type StandInFlavor, type StandInImage, type StandInServer } from "./stand-in-servers.js";

export interface StandInUser {
  name: string;
  password: string;
}
export interface StandInApplicationCredential {
  id: string;
  name: string;
  secret: string;
}

export interface OpenStackStandInOptions {
  kitDir: () => string;
  workDir: string;
  /** Port of the APIs (0: any free one). */
  port?: number;
  /** Port every server's SSH answers on, at the server's own loopback address. */
  sshPort: number;
  users?: StandInUser[];
  applicationCredentials?: StandInApplicationCredential[];
  project?: string;
  images?: StandInImage[];
  flavors?: StandInFlavor[];
  /** Most servers at once; one more is refused with 403 "Quota exceeded". */
  maxServers?: number;
  tokenTtlMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  microversion: string | undefined;
  body: unknown;
}

const MAX_MICROVERSION = "2.93";
const USER_ID = "5f7e3b9a0c1d4e2f8a6b7c9d0e1f2a3b";
const PROJECT_ID = "9a8b7c6d5e4f30211a2b3c4d5e6f7a8b";

export class OpenStackStandIn {
  readonly servers: StandInServers;
  readonly requests: RecordedRequest[] = [];
  readonly schemaViolations: string[] = [];
  /** The stand-in's own answers that Tempest's response schemas reject (at Eve's microversion). */
  readonly responseViolations: string[] = [];
  /** Tokens issued, by value, with their expiry (ms since epoch). */
  private readonly tokens = new Map<string, number>();
  private readonly keypairs = new Map<string, { name: string; public_key: string; fingerprint: string; type: string; created_at: string }>();
  private readonly http: Server;
  maxServers: number;
  tokenTtlMs: number;
  images: StandInImage[];
  flavors: StandInFlavor[];
  users: StandInUser[];
  applicationCredentials: StandInApplicationCredential[];
  readonly project: string;
  baseUrl = "";

  private readonly options: OpenStackStandInOptions;

  constructor(options: OpenStackStandInOptions) {
    this.options = options;
    this.servers = new StandInServers({ kitDir: options.kitDir, workDir: options.workDir, sshPort: options.sshPort });
    this.maxServers = options.maxServers ?? 10;
    this.tokenTtlMs = options.tokenTtlMs ?? 3_600_000;
    this.images = options.images ?? [{ id: randomUUID(), name: "debian-12", behaviour: "boot" }];
    this.flavors = options.flavors ?? [{ id: "1", name: "m1.small", vcpus: 1, ram: 512, disk: 1 }];
    this.users = options.users ?? [{ name: "eve", password: "stand-in-password" }];
    this.applicationCredentials = options.applicationCredentials ?? [];
    this.project = options.project ?? "eve";
    this.http = createServer((request, response) => void this.handle(request, response));
  }

  /** OS_AUTH_URL of this stand-in. */
  get authUrl(): string {
    return `${this.baseUrl}/identity/v3`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.http.listen(this.options.port ?? 0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await this.servers.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return send(response, 400, { badRequest: { message: "Malformed request body", code: 400 } });
    }
    const microversion = parseMicroversion(request.headers);
    this.requests.push({ method: request.method ?? "GET", path: url.pathname + url.search, microversion, body });
    const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}): void => {
      if (url.pathname.startsWith("/compute")) {
        headers["OpenStack-API-Version"] = `compute ${microversion ?? "2.1"}`;
        headers["X-OpenStack-Nova-API-Version"] = microversion ?? "2.1";
        headers.Vary = "OpenStack-API-Version, X-OpenStack-Nova-API-Version";
      }
      send(response, status, payload, headers);
    };
    try {
      const path = url.pathname.replace(/\/+$/, "");
      if (path.startsWith("/identity")) return this.identity(request.method ?? "GET", path, body, reply);
      if (!this.isAuthenticated(request)) return reply(401, { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } });
      if (path.startsWith("/image")) return this.image(path, url.searchParams, reply);
      if (path.startsWith("/compute/v2.1")) return await this.compute(request.method ?? "GET", path.slice("/compute/v2.1".length), url.searchParams, body, microversion ?? "2.1", reply);
      reply(404, { itemNotFound: { message: `The stand-in has no ${path}`, code: 404 } });
    } catch (error) {
      reply(500, { computeFault: { message: error instanceof Error ? error.message : String(error), code: 500 } });
    }
  }

  private isAuthenticated(request: IncomingMessage): boolean {
    const token = request.headers["x-auth-token"];
    const expiry = typeof token === "string" ? this.tokens.get(token) : undefined;
    return expiry !== undefined && expiry > Date.now();
  }

  /** Expires every token issued so far, as a Keystone restart or a revocation would. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  private identity(method: string, path: string, body: unknown, reply: Reply): void {
    if (method === "GET" && (path === "/identity/v3" || path === "/identity")) {
      return reply(200, { version: { id: "v3.14", status: "stable", updated: "2020-04-07T00:00:00Z", links: [{ rel: "self", href: `${this.authUrl}/` }], "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }] } });
    }
    if (method !== "POST" || path !== "/identity/v3/auth/tokens") return reply(404, { error: { code: 404, title: "Not Found", message: `no ${method} ${path}` } });
    const auth = (body as { auth?: { identity?: Record<string, unknown> } } | undefined)?.auth?.identity;
    const methods = (auth?.methods ?? []) as string[];
    let ok = false;
    if (methods.includes("password")) {
      const user = (auth?.password as { user?: { name?: string; password?: string } } | undefined)?.user;
      ok = this.users.some((u) => u.name === user?.name && u.password === user?.password);
    } else if (methods.includes("application_credential")) {
      const credential = auth?.application_credential as { id?: string; name?: string; secret?: string } | undefined;
      ok = this.applicationCredentials.some((c) => (c.id === credential?.id || c.name === credential?.name) && c.secret === credential?.secret);
    }
    if (!ok) return reply(401, { error: { code: 401, title: "Unauthorized", message: "The request you have made requires authentication." } });
    const token = randomBytes(24).toString("hex");
    const expires = Date.now() + this.tokenTtlMs;
    this.tokens.set(token, expires);
    const endpoint = (type: string, name: string, url: string): unknown => ({
      type,
      name,
      id: randomUUID().replaceAll("-", ""),
      endpoints: ["public", "internal"].map((iface) => ({ id: randomUUID().replaceAll("-", ""), interface: iface, region: "RegionOne", region_id: "RegionOne", url })),
    });
    reply(
      201,
      {
        token: {
          methods,
          expires_at: new Date(expires).toISOString(),
          issued_at: new Date().toISOString(),
          audit_ids: [randomBytes(8).toString("base64url")],
          user: { id: USER_ID, name: this.users[0]?.name ?? "eve", domain: { id: "default", name: "Default" }, password_expires_at: null },
          project: { id: PROJECT_ID, name: this.project, domain: { id: "default", name: "Default" } },
          roles: [{ id: randomUUID().replaceAll("-", ""), name: "member" }],
          is_domain: false,
          catalog: [endpoint("identity", "keystone", this.authUrl), endpoint("compute", "nova", `${this.baseUrl}/compute/v2.1`), endpoint("image", "glance", `${this.baseUrl}/image`)],
        },
      },
      { "X-Subject-Token": token },
    );
  }

  private image(path: string, query: URLSearchParams, reply: Reply): void {
    if (path === "/image") return reply(200, { versions: [{ id: "v2.15", status: "CURRENT", links: [{ rel: "self", href: `${this.baseUrl}/image/v2/` }] }] });
    const one = /^\/image\/v2\/images\/([^/]+)$/.exec(path);
    if (one) {
      const found = this.images.find((image) => image.id === decodeURIComponent(one[1] ?? ""));
      return found ? reply(200, this.imageBody(found)) : reply(404, { message: "Not Found", code: "404 Not Found", title: "Not Found" });
    }
    if (path !== "/image/v2/images") return reply(404, { message: "Not Found", code: "404 Not Found", title: "Not Found" });
    const name = query.get("name");
    const images = this.images.filter((image) => name === null || image.name === name).map((image) => this.imageBody(image));
    reply(200, { images, schema: "/v2/schemas/images", first: `/v2/images${name === null ? "" : `?name=${encodeURIComponent(name)}`}` });
  }

  private imageBody(image: StandInImage): Record<string, unknown> {
    return { id: image.id, name: image.name, status: "active", visibility: "public", disk_format: "qcow2", container_format: "bare", min_disk: 0, min_ram: 0, protected: false, tags: [], self: `/v2/images/${image.id}`, file: `/v2/images/${image.id}/file`, schema: "/v2/schemas/image", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", size: 1, os_hidden: false, owner: PROJECT_ID };
  }

  private checked(operation: string, kind: "body" | "query", microversion: string, data: unknown, reply: Reply): boolean {
    const problem = checkNovaRequest(operation, kind, microversion, data);
    if (problem === undefined) return true;
    this.schemaViolations.push(`${operation}: ${problem}`);
    reply(400, { badRequest: { message: problem, code: 400 } });
    return false;
  }

  /** Replies, checking the answer against Tempest's schema of `operation` when the request is at Tempest's microversion. */
  private answer(operation: string, version: string, reply: Reply, status: number, payload?: unknown, headers?: Record<string, string>): void {
    if (version === TEMPEST_MICROVERSION) {
      const problem = checkTempestResponse(operation, status, payload === undefined ? undefined : JSON.parse(JSON.stringify(payload)));
      if (problem !== undefined) this.responseViolations.push(problem);
    }
    reply(status, payload, headers);
  }

  private async compute(method: string, path: string, query: URLSearchParams, body: unknown, version: string, reply: Reply): Promise<void> {
    if (path === "" && method === "GET") {
      return reply(200, { version: { id: "v2.1", status: "CURRENT", version: MAX_MICROVERSION, min_version: "2.1", updated: "2013-07-23T11:33:21Z", links: [{ rel: "self", href: `${this.baseUrl}/compute/v2.1/` }], "media-types": [{ base: "application/json", type: "application/vnd.openstack.compute+json;version=2.1" }] } });
    }
    const queryObject = multiParams(query);
    if (method === "GET" && (path === "/flavors/detail" || path === "/flavors")) {
      if (!this.checked("flavors.detail", "query", version, queryObject, reply)) return;
      const flavors = { flavors: this.flavors.map((flavor) => this.flavorBody(flavor, path === "/flavors")) };
      return path === "/flavors" ? reply(200, flavors) : this.answer("list_flavors_details", version, reply, 200, flavors);
    }
    const flavor = /^\/flavors\/([^/]+)$/.exec(path);
    if (method === "GET" && flavor) {
      const found = this.flavors.find((f) => f.id === decodeURIComponent(flavor[1] ?? ""));
      return found ? reply(200, { flavor: this.flavorBody(found, false) }) : reply(404, { itemNotFound: { message: `Flavor ${flavor[1]} could not be found.`, code: 404 } });
    }
    if (method === "POST" && path === "/os-keypairs") return this.createKeypair(body, version, reply);
    const keypair = /^\/os-keypairs\/([^/]+)$/.exec(path);
    if (keypair) return this.keypair(method, decodeURIComponent(keypair[1] ?? ""), queryObject, version, reply);
    if (method === "POST" && path === "/servers") return this.createServer(body, version, reply);
    if (method === "GET" && (path === "/servers/detail" || path === "/servers")) {
      if (!this.checked(path === "/servers" ? "servers.index" : "servers.detail", "query", version, queryObject, reply)) return;
      const tags = query.get("tags")?.split(",") ?? [];
      const name = query.get("name");
      const servers = this.servers.live.filter((s) => tags.every((tag) => s.tags.includes(tag)) && (name === null || new RegExp(name).test(s.name)));
      if (path === "/servers") return reply(200, { servers: servers.map((s) => ({ id: s.id, name: s.name, links: this.links("servers", s.id) })) });
      return this.answer("list_servers_detail", version, reply, 200, { servers: servers.map((s) => this.serverBody(s, version)) });
    }
    const server = /^\/servers\/([^/]+)(\/action)?$/.exec(path);
    if (server) {
      const found = this.servers.servers.get(server[1] ?? "");
      if (!found || found.status === "DELETED") return reply(404, { itemNotFound: { message: `Instance ${server[1]} could not be found.`, code: 404 } });
      if (server[2] && method === "POST") return this.action(found, body, version, reply);
      if (method === "GET") return this.answer("get_server", version, reply, 200, { server: this.serverBody(found, version) });
      if (method === "DELETE") {
        this.answer("delete_server", version, reply, 204);
        await this.servers.delete(found);
        return;
      }
    }
    reply(404, { itemNotFound: { message: `The stand-in has no ${method} /compute/v2.1${path}`, code: 404 } });
  }

  private createKeypair(body: unknown, version: string, reply: Reply): void {
    if (!this.checked("keypairs.create", "body", version, body, reply)) return;
    const input = (body as { keypair: { name: string; public_key?: string; type?: string } }).keypair;
    if (this.keypairs.has(input.name)) return reply(409, { conflictingRequest: { message: `Key pair '${input.name}' already exists.`, code: 409 } });
    if (!input.public_key) return reply(400, { badRequest: { message: "The stand-in only imports key pairs (public_key is required here)", code: 400 } });
    const blob = Buffer.from(input.public_key.split(/\s+/)[1] ?? "", "base64");
    const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
    const pair = { name: input.name, public_key: input.public_key, fingerprint, type: input.type ?? "ssh", created_at: new Date().toISOString() };
    this.keypairs.set(input.name, pair);
    this.answer("create_keypair", version, reply, atLeast(version, "2.2") ? 201 : 200, { keypair: { name: pair.name, public_key: pair.public_key, fingerprint, user_id: USER_ID, ...(atLeast(version, "2.2") ? { type: pair.type } : {}) } });
  }

  private keypair(method: string, name: string, query: Record<string, string[]>, version: string, reply: Reply): void {
    const pair = this.keypairs.get(name);
    if (!pair) return reply(404, { itemNotFound: { message: `Keypair ${name} not found for user ${USER_ID}`, code: 404 } });
    if (method === "DELETE") {
      if (!this.checked("keypairs.delete", "query", version, query, reply)) return;
      this.keypairs.delete(name);
      return this.answer("delete_keypair", version, reply, atLeast(version, "2.2") ? 204 : 202);
    }
    reply(200, { keypair: { ...pair, user_id: USER_ID, deleted: false, deleted_at: null, updated_at: null, id: 1 } });
  }

  /** Key pair names that exist now. */
  get keypairNames(): string[] {
    return [...this.keypairs.keys()];
  }

  private createServer(body: unknown, version: string, reply: Reply): void {
    if (!this.checked("servers.create", "body", version, body, reply)) return;
    const input = (body as { server: Record<string, unknown> }).server;
    if (this.servers.live.length >= this.maxServers) {
      return reply(403, { forbidden: { message: `Quota exceeded for instances: Requested 1, but already used ${this.servers.live.length} of ${this.maxServers} instances`, code: 403 } });
    }
    const imageRef = String(input.imageRef ?? "");
    const image = this.images.find((i) => i.id === imageRef);
    if (!image) return reply(400, { badRequest: { message: `Can not find requested image`, code: 400 } });
    const flavor = this.flavors.find((f) => f.id === String(input.flavorRef ?? "") || `${this.baseUrl}/compute/v2.1/flavors/${f.id}` === input.flavorRef);
    if (!flavor) return reply(400, { badRequest: { message: `Flavor ${String(input.flavorRef)} could not be found.`, code: 400 } });
    const keyName = typeof input.key_name === "string" ? input.key_name : null;
    const pair = keyName === null ? undefined : this.keypairs.get(keyName);
    if (keyName !== null && !pair) return reply(400, { badRequest: { message: `Invalid key_name provided.`, code: 400 } });
    const server = this.servers.create(
      { name: String(input.name), image, flavor, keyName, metadata: (input.metadata ?? {}) as Record<string, string>, tags: (input.tags ?? []) as string[], networks: input.networks },
      pair?.public_key,
    );
    this.answer("create_server", version, reply, 202, { server: { id: server.id, links: this.links("servers", server.id), "OS-DCF:diskConfig": "MANUAL", security_groups: [{ name: "default" }] } }, { Location: `${this.baseUrl}/compute/v2.1/servers/${server.id}` });
  }

  private action(server: StandInServer, body: unknown, version: string, reply: Reply): void {
    const request = body as Record<string, unknown> | undefined;
    if (request && "os-getConsoleOutput" in request) {
      if (!this.checked("servers.action.os-getConsoleOutput", "body", version, body, reply)) return;
      const length = (request["os-getConsoleOutput"] as { length?: number | string | null }).length;
      const lines = this.servers.consoleOf(server).split("\n");
      const count = length === undefined || length === null || Number(length) < 0 ? lines.length : Number(length);
      return this.answer("get_console_output", version, reply, 200, { output: lines.slice(Math.max(0, lines.length - count)).join("\n") });
    }
    reply(400, { badRequest: { message: `The stand-in has no action ${Object.keys(request ?? {}).join(",")}`, code: 400 } });
  }

  private links(kind: string, id: string): unknown[] {
    return [{ rel: "self", href: `${this.baseUrl}/compute/v2.1/${kind}/${id}` }, { rel: "bookmark", href: `${this.baseUrl}/compute/${kind}/${id}` }];
  }

  private flavorBody(flavor: StandInFlavor, brief: boolean): Record<string, unknown> {
    if (brief) return { id: flavor.id, name: flavor.name, links: this.links("flavors", flavor.id) };
    return { id: flavor.id, name: flavor.name, ram: flavor.ram, disk: flavor.disk, vcpus: flavor.vcpus, swap: "", rxtx_factor: 1.0, "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": false, "os-flavor-access:is_public": true, links: this.links("flavors", flavor.id) };
  }

  private serverBody(server: StandInServer, version: string): Record<string, unknown> {
    const active = server.status === "ACTIVE";
    return {
      id: server.id,
      name: server.name,
      status: server.status,
      tenant_id: PROJECT_ID,
      user_id: USER_ID,
      metadata: server.metadata,
      tags: server.tags,
      hostId: createHash("sha224").update(server.id).digest("hex"),
      image: { id: server.image.id, links: this.links("images", server.image.id) },
      // From 2.47 the flavor is embedded rather than linked.
      flavor: atLeast(version, "2.47")
        ? { original_name: server.flavor.name, vcpus: server.flavor.vcpus, ram: server.flavor.ram, disk: server.flavor.disk, ephemeral: 0, swap: 0, extra_specs: {} }
        : { id: server.flavor.id, links: this.links("flavors", server.flavor.id) },
      created: server.created,
      updated: server.updated,
      addresses: server.status === "ERROR" ? {} : { private: [{ version: 4, addr: server.address, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01" }] },
      accessIPv4: "",
      accessIPv6: "",
      links: this.links("servers", server.id),
      key_name: server.keyName,
      progress: 0,
      config_drive: "",
      locked: false,
      description: null,
      "OS-DCF:diskConfig": "MANUAL",
      "OS-EXT-AZ:availability_zone": "nova",
      "OS-EXT-STS:power_state": active ? 1 : 0,
      "OS-EXT-STS:task_state": server.status === "BUILD" ? "spawning" : null,
      "OS-EXT-STS:vm_state": server.status.toLowerCase(),
      "OS-SRV-USG:launched_at": active ? server.updated.replace("Z", "") : null,
      "OS-SRV-USG:terminated_at": null,
      "os-extended-volumes:volumes_attached": [],
      security_groups: active ? [{ name: "default" }] : undefined,
      ...(server.fault ? { fault: server.fault } : {}),
    };
  }
}

type Reply = (status: number, payload?: unknown, headers?: Record<string, string>) => void;

function send(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const text = payload === undefined ? "" : JSON.stringify(payload);
  response.writeHead(status, { ...headers, ...(text ? { "Content-Type": "application/json" } : {}), "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

function parseMicroversion(headers: IncomingMessage["headers"]): string | undefined {
  const modern = headers["openstack-api-version"];
  const match = typeof modern === "string" ? /compute\s+([\d.]+|latest)/.exec(modern) : null;
  const value = match?.[1] ?? (typeof headers["x-openstack-nova-api-version"] === "string" ? headers["x-openstack-nova-api-version"] : undefined);
  return value === "latest" ? MAX_MICROVERSION : value;
}

function atLeast(version: string, bound: string): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  const [c = 0, d = 0] = bound.split(".").map(Number);
  return a > c || (a === c && b >= d);
}

/** Nova reads every query parameter as a list (parameter_types.multi_params). */
function multiParams(query: URLSearchParams): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [key, value] of query) (result[key] ??= []).push(value);
  return result;
}

export async function startOpenStackStandIn(options: OpenStackStandInOptions): Promise<OpenStackStandIn> {
  const standIn = new OpenStackStandIn(options);
  await standIn.listen();
  return standIn;
}
