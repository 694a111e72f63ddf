/**
 * A small stand-in of the Kubernetes API server for tests (no cluster can
 * run here): create/get/list/delete of pods, namespaces, secrets, service
 * accounts, roles and role bindings, service-account tokens, pod logs, and
 * the exec WebSocket. Pods are real containers on the local Docker Engine
 * (pod-runtime.ts). Every object received is validated against Kubernetes'
 * schema. Requests need the admin bearer token, or a service-account token
 * which is only allowed in namespaces where a RoleBinding names its account.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { acceptExec, createExecServer } from "./exec-socket.js";
import { PodRuntime, type RuntimePod } from "./pod-runtime.js";
import { validateObject } from "./validate-object.js";

type Obj = Record<string, any>;

const RESOURCES: Record<string, string> = { pods: "Pod", secrets: "Secret", serviceaccounts: "ServiceAccount", roles: "Role", rolebindings: "RoleBinding", namespaces: "Namespace" };

export interface KubeStandInOptions {
  /** How long a deleted pod lingers (Terminating) unless deleted with gracePeriodSeconds=0. */
  terminationDelayMs?: number;
}

export class KubeStandIn {
  readonly token = randomBytes(16).toString("hex");
  readonly id = randomBytes(4).toString("hex");
  readonly runtime = new PodRuntime(this.id);
  /** Every request, "METHOD path", for assertions. */
  readonly requests: string[] = [];
  readonly #objects = new Map<string, Obj>();
  readonly #pods = new Map<string, RuntimePod>();
  readonly #tokens = new Map<string, { namespace: string; name: string }>();
  readonly #server: Server;
  readonly #exec = createExecServer();
  readonly #options: KubeStandInOptions;

  constructor(options: KubeStandInOptions = {}) {
    this.#options = options;
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on("upgrade", (req: IncomingMessage, socket, head) => {
      const url = new URL(req.url ?? "/", "http://stand-in");
      const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
      if (!match || !this.#allowed(req, match[1] ?? "")) {
        socket.destroy();
        return;
      }
      this.requests.push(`EXEC ${url.pathname}`);
      const pod = this.#pods.get(`${match[1]}/${match[2]}`);
      acceptExec(this.#exec, req, socket, head, this.runtime.docker, pod?.containerIds.get(url.searchParams.get("container") ?? ""), url);
    });
    this.#put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Stops the server and removes every container and volume of its pods. */
  async stop(): Promise<void> {
    for (const pod of this.#pods.values()) await this.runtime.stop(pod);
    this.#pods.clear();
    for (const client of this.#exec.clients) client.terminate();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Names of the objects of a kind (namespaced: `ns/name`). */
  list(kind: string): string[] {
    return [...this.#objects.keys()].filter((key) => key.startsWith(`${kind}/`)).map((key) => key.slice(kind.length + 1).replace(/^\//, ""));
  }

  get(kind: string, namespace: string, name: string): Obj | undefined {
    return this.#objects.get(`${kind}/${namespace}/${name}`);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    this.requests.push(`${req.method} ${url.pathname}`);
    const parts = url.pathname.replace(/^\/apis\/[^/]+\/v1|^\/api\/v1/, "").split("/").filter(Boolean);
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { "content-type": typeof body === "string" ? "text/plain" : "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const fail = (code: number, reason: string, message: string): void => reply(code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
    try {
      // /namespaces[/ns[/resource[/name[/sub]]]]
      if (parts[0] !== "namespaces") return fail(404, "NotFound", `the stand-in does not serve ${url.pathname}`);
      const [, ns, resource, name, sub] = parts;
      if (!this.#allowed(req, resource === undefined ? "" : (ns ?? ""))) return fail(403, "Forbidden", `forbidden: ${req.method} ${url.pathname}`);
      const body = req.method === "POST" ? (JSON.parse(await readBody(req)) as Obj) : undefined;
      if (resource === undefined) return this.#namespaces(req.method ?? "", ns, body, url, reply, fail);
      const kind = RESOURCES[resource];
      if (!kind || !this.#objects.has(`Namespace//${ns}`)) return fail(404, "NotFound", `namespaces "${ns}" not found`);
      if (name === undefined) {
        if (req.method === "GET") return reply(200, { kind: `${kind}List`, apiVersion: "v1", metadata: {}, items: this.#select(kind, ns ?? "", url.searchParams.get("labelSelector")) });
        const invalid = validateObject(kind, body ?? {});
        if (invalid) return fail(422, "Invalid", invalid);
        const object: Obj = { ...body, kind, metadata: { ...body?.metadata, namespace: ns, uid: randomBytes(8).toString("hex"), creationTimestamp: new Date().toISOString() } };
        if (kind === "Secret" && object.stringData) {
          object.data = { ...object.data, ...Object.fromEntries(Object.entries(object.stringData as Record<string, string>).map(([k, v]) => [k, Buffer.from(v).toString("base64")])) };
          delete object.stringData;
        }
        if (this.#objects.has(`${kind}/${ns}/${object.metadata.name}`)) return fail(409, "AlreadyExists", `${resource} "${object.metadata.name}" already exists`);
        this.#put(object);
        if (kind === "Pod") this.#startPod(object);
        return reply(201, object);
      }
      const key = `${kind}/${ns}/${name}`;
      const object = this.#objects.get(key);
      if (!object) return fail(404, "NotFound", `${resource} "${name}" not found`);
      if (sub === "log" && kind === "Pod") return reply(200, await this.runtime.logs(this.#pods.get(`${ns}/${name}`)!, url.searchParams.get("container") ?? "", Number(url.searchParams.get("tailLines") ?? 100)));
      if (sub === "token" && kind === "ServiceAccount" && req.method === "POST") {
        const invalid = validateObject("TokenRequest", body ?? {});
        if (invalid) return fail(422, "Invalid", invalid);
        const token = `sa-${randomBytes(16).toString("hex")}`;
        this.#tokens.set(token, { namespace: ns ?? "", name: name });
        return reply(201, { ...body, kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1", status: { token, expirationTimestamp: new Date(Date.now() + 3600_000).toISOString() } });
      }
      if (sub !== undefined) return fail(404, "NotFound", `no subresource ${sub}`);
      if (req.method === "GET") return reply(200, object);
      if (req.method === "DELETE") {
        const grace = url.searchParams.get("gracePeriodSeconds") ?? (JSON.parse((await readBody(req)) || "{}") as Obj).gracePeriodSeconds;
        if (kind === "Pod") await this.#deletePod(object, grace === 0 || grace === "0");
        else this.#objects.delete(key);
        return reply(200, object);
      }
      return fail(405, "MethodNotAllowed", `${req.method} not allowed`);
    } catch (error) {
      fail(500, "InternalError", error instanceof Error ? error.message : String(error));
    }
  }

  async #namespaces(method: string, name: string | undefined, body: Obj | undefined, url: URL, reply: (c: number, b: unknown) => void, fail: (c: number, r: string, m: string) => void): Promise<void> {
    if (name === undefined && method === "GET") return reply(200, { kind: "NamespaceList", apiVersion: "v1", metadata: {}, items: this.#select("Namespace", "", url.searchParams.get("labelSelector")) });
    if (name === undefined && method === "POST") {
      const invalid = validateObject("Namespace", body ?? {});
      if (invalid) return fail(422, "Invalid", invalid);
      if (this.#objects.has(`Namespace//${body?.metadata?.name}`)) return fail(409, "AlreadyExists", `namespaces "${body?.metadata?.name}" already exists`);
      const object = { ...body, kind: "Namespace", status: { phase: "Active" } };
      this.#put(object);
      return reply(201, object);
    }
    const object = this.#objects.get(`Namespace//${name}`);
    if (!object) return fail(404, "NotFound", `namespaces "${name}" not found`);
    if (method === "GET") return reply(200, object);
    if (method !== "DELETE") return fail(405, "MethodNotAllowed", `${method} not allowed`);
    for (const [key, child] of [...this.#objects]) {
      if (child.metadata.namespace !== name) continue;
      if (child.kind === "Pod") await this.#deletePod(child, true);
      this.#objects.delete(key);
    }
    this.#objects.delete(`Namespace//${name}`);
    reply(200, object);
  }

  #put(object: Obj): void {
    this.#objects.set(`${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`, object);
  }

  #startPod(object: Obj): void {
    const pod: RuntimePod = { object, containerIds: new Map(), volumes: [], dirs: [], stopped: false };
    this.#pods.set(`${object.metadata.namespace}/${object.metadata.name}`, pod);
    void this.runtime.start(pod, (secret) => this.#objects.get(`Secret/${object.metadata.namespace}/${secret}`));
  }

  async #deletePod(object: Obj, force: boolean): Promise<void> {
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    const pod = this.#pods.get(key);
    const remove = async (): Promise<void> => {
      if (pod) await this.runtime.stop(pod);
      this.#pods.delete(key);
      this.#objects.delete(`Pod/${key}`);
    };
    object.metadata.deletionTimestamp ??= new Date().toISOString();
    const delay = this.#options.terminationDelayMs ?? 0;
    if (force || delay === 0) return remove();
    setTimeout(() => void remove(), delay).unref();
  }

  #select(kind: string, namespace: string, selector: string | null): Obj[] {
    const wanted = (selector ?? "").split(",").filter(Boolean).map((term) => term.split("="));
    return [...this.#objects.values()].filter(
      (o) => o.kind === kind && (kind === "Namespace" || o.metadata.namespace === namespace) && wanted.every(([k, v]) => o.metadata.labels?.[k ?? ""] === v),
    );
  }

  /** The admin token may do anything; a service-account token only acts in namespaces that bind its account. */
  #allowed(req: IncomingMessage, namespace: string): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (token === this.token) return true;
    const account = token === undefined ? undefined : this.#tokens.get(token);
    if (!account || namespace === "") return false;
    return [...this.#objects.values()].some(
      (o) => o.kind === "RoleBinding" && o.metadata.namespace === namespace && (o.subjects as Obj[]).some((s) => s.kind === "ServiceAccount" && s.name === account.name && s.namespace === account.namespace),
    );
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => resolve(Buffer.concat(chunks).toString("utf8"))).on("error", reject);
  });
}
