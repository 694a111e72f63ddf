/**
 * The one file that speaks @kubernetes/client-node. Everything else sees
 * these methods and plain types; every failure of the API server is a
 * KubeApiError (a ProvisionError carrying the HTTP status).
 */
import { PassThrough } from "node:stream";
import { CoreV1Api, Exec, KubeConfig, RbacAuthorizationV1Api, type V1Status } from "@kubernetes/client-node";
import type { IPod } from "kubernetes-models/v1/Pod";
import { ProvisionError } from "../types.js";
import type { KubeClusterAccess } from "./kube-settings.js";

export class KubeApiError extends ProvisionError {
  /** HTTP status of the API server's answer, undefined when it never answered. */
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.statusCode = statusCode;
  }
}

export interface ContainerState {
  name: string;
  state: "waiting" | "running" | "terminated" | "unknown";
  reason?: string;
  message?: string;
  exitCode?: number;
}

export interface PodState {
  phase: string;
  reason?: string;
  message?: string;
  containers: ContainerState[];
  /** Conditions that are False, e.g. PodScheduled: Unschedulable. */
  failedConditions: { type: string; reason?: string; message?: string }[];
}

/** A labelled object found by a list: pods, namespaces, secrets. */
export interface KubeObjectSummary {
  name: string;
  namespace?: string;
  annotations: Record<string, string>;
}

export interface KubeExecHandle {
  stdout: PassThrough;
  stderr: PassThrough;
  /** Resolves when the exec ended: its exit code (null when the server sent none). */
  done: Promise<{ exitCode: number | null; message: string | undefined }>;
  /** Drops the connection (the process keeps running; kill it first). */
  close(): void;
}

/** Objects Eve creates for `service` namespaces; RBAC and secrets as the API takes them. */
export type KubeObject = Record<string, unknown> & { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } };

export class KubeClient {
  readonly #config: KubeConfig;
  readonly #core: CoreV1Api;
  readonly #rbac: RbacAuthorizationV1Api;

  constructor(access: KubeClusterAccess) {
    this.#config = loadConfig(access);
    this.#core = this.#config.makeApiClient(CoreV1Api);
    this.#rbac = this.#config.makeApiClient(RbacAuthorizationV1Api);
  }

  /** The API server URL, CA (base64) and TLS check of the current cluster, for kubeconfigs handed to pods. */
  get cluster(): { server: string; caData: string | undefined; skipTlsVerify: boolean } {
    const cluster = this.#config.getCurrentCluster();
    return { server: cluster?.server ?? "", caData: cluster?.caData, skipTlsVerify: cluster?.skipTLSVerify ?? false };
  }

  async createPod(namespace: string, pod: IPod): Promise<void> {
    await call(`create pod ${pod.metadata?.name ?? ""}`, () => this.#core.createNamespacedPod({ namespace, body: pod as never }));
  }

  async readPod(namespace: string, name: string): Promise<PodState | undefined> {
    const pod = await orUndefined(`read pod ${name}`, () => this.#core.readNamespacedPod({ name, namespace }));
    if (!pod) return undefined;
    const status = pod.status ?? {};
    const containers: ContainerState[] = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].map((c) => {
      const { waiting, running, terminated } = c.state ?? {};
      if (terminated) return clean({ name: c.name, state: "terminated", reason: terminated.reason, message: terminated.message, exitCode: terminated.exitCode });
      if (running) return { name: c.name, state: "running" };
      if (waiting) return clean({ name: c.name, state: "waiting", reason: waiting.reason, message: waiting.message });
      return { name: c.name, state: "unknown" };
    });
    const failedConditions = (status.conditions ?? []).filter((c) => c.status === "False").map((c) => clean({ type: c.type, reason: c.reason, message: c.message }));
    return clean({ phase: status.phase ?? "Unknown", reason: status.reason, message: status.message, containers, failedConditions });
  }

  /** Deletes a pod; false when it was already gone. */
  async deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<boolean> {
    const deleted = await orUndefined(`delete pod ${name}`, () => this.#core.deleteNamespacedPod(gracePeriodSeconds === undefined ? { name, namespace } : { name, namespace, gracePeriodSeconds }));
    return deleted !== undefined;
  }

  async listPods(namespace: string, labelSelector: string): Promise<KubeObjectSummary[]> {
    const list = await call("list pods", () => this.#core.listNamespacedPod({ namespace, labelSelector }));
    return list.items.map((item) => summary(item.metadata));
  }

  /** The last lines of a container's log; empty when there is none. */
  async podLog(namespace: string, name: string, container: string, tailLines: number): Promise<string> {
    try {
      return await this.#core.readNamespacedPodLog({ name, namespace, container, tailLines });
    } catch {
      // A container that never started has no log; the caller reports the reason instead.
      return "";
    }
  }

  async exec(namespace: string, pod: string, container: string, argv: string[], tty: boolean): Promise<KubeExecHandle> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let status: V1Status | undefined;
    const socket = await call(`exec in pod ${pod}`, () =>
      new Exec(this.#config).exec(namespace, pod, container, argv, stdout, tty ? null : stderr, null, tty, (s) => {
        status = s;
      }),
    );
    const done = new Promise<{ exitCode: number | null; message: string | undefined }>((resolve) => {
      socket.on("close", () => {
        stdout.end();
        stderr.end();
        resolve({ exitCode: exitCodeOf(status), message: status?.message });
      });
    });
    return { stdout, stderr, done, close: () => socket.terminate() };
  }

  async createNamespace(name: string, labels: Record<string, string>, annotations: Record<string, string>): Promise<void> {
    await call(`create namespace ${name}`, () => this.#core.createNamespace({ body: { metadata: { name, labels, annotations } } }));
  }

  /** Deletes a namespace (and everything in it); false when it was already gone. */
  async deleteNamespace(name: string): Promise<boolean> {
    return (await orUndefined(`delete namespace ${name}`, () => this.#core.deleteNamespace({ name }))) !== undefined;
  }

  async listNamespaces(labelSelector: string): Promise<KubeObjectSummary[]> {
    const list = await call("list namespaces", () => this.#core.listNamespace({ labelSelector }));
    return list.items.map((item) => summary(item.metadata));
  }

  async createServiceAccount(namespace: string, body: KubeObject): Promise<void> {
    await call(`create service account ${body.metadata.name}`, () => this.#core.createNamespacedServiceAccount({ namespace, body: body as never }));
  }

  async createRole(namespace: string, body: KubeObject): Promise<void> {
    await call(`create role ${body.metadata.name}`, () => this.#rbac.createNamespacedRole({ namespace, body: body as never }));
  }

  async createRoleBinding(namespace: string, body: KubeObject): Promise<void> {
    await call(`create role binding ${body.metadata.name}`, () => this.#rbac.createNamespacedRoleBinding({ namespace, body: body as never }));
  }

  /** A bound token of a service account (TokenRequest API). */
  async requestToken(namespace: string, serviceAccount: string, expirationSeconds: number): Promise<string> {
    const answer = await call(`request a token for ${serviceAccount}`, () =>
      this.#core.createNamespacedServiceAccountToken({ name: serviceAccount, namespace, body: { spec: { audiences: [], expirationSeconds } } }),
    );
    const token = answer.status?.token;
    if (!token) throw new KubeApiError(`the API server returned no token for ${serviceAccount}`, undefined);
    return token;
  }

  async createSecret(namespace: string, body: KubeObject): Promise<void> {
    await call(`create secret ${body.metadata.name}`, () => this.#core.createNamespacedSecret({ namespace, body: body as never }));
  }

  async deleteSecret(namespace: string, name: string): Promise<boolean> {
    return (await orUndefined(`delete secret ${name}`, () => this.#core.deleteNamespacedSecret({ name, namespace }))) !== undefined;
  }

  async listSecrets(namespace: string, labelSelector: string): Promise<KubeObjectSummary[]> {
    const list = await call("list secrets", () => this.#core.listNamespacedSecret({ namespace, labelSelector }));
    return list.items.map((item) => summary(item.metadata));
  }
}

function loadConfig(access: KubeClusterAccess): KubeConfig {
  const config = new KubeConfig();
  if (access.mode === "in-cluster") config.loadFromCluster();
  else if (access.mode === "kubeconfig") {
    config.loadFromFile(access.path);
    if (access.context) config.setCurrentContext(access.context);
  } else {
    const cluster = { name: "eve", server: access.server, skipTLSVerify: access.skipTlsVerify ?? false, ...(access.caFile ? { caFile: access.caFile } : {}) };
    config.loadFromOptions({
      clusters: [cluster],
      users: [{ name: "eve", token: access.token }],
      contexts: [{ name: "eve", cluster: "eve", user: "eve" }],
      currentContext: "eve",
    });
  }
  return config;
}

/** Kubernetes' exec status: Success → 0, NonZeroExitCode → the ExitCode cause. */
function exitCodeOf(status: V1Status | undefined): number | null {
  if (!status) return null;
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  return cause && Number.isInteger(code) ? code : null;
}

function summary(metadata: { name?: string; namespace?: string; annotations?: Record<string, string> } | undefined): KubeObjectSummary {
  return clean({ name: metadata?.name ?? "", namespace: metadata?.namespace, annotations: metadata?.annotations ?? {} });
}

async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw apiError(action, error);
  }
}

/** The answer, or undefined when the object does not exist (404). */
async function orUndefined<T>(action: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw apiError(action, error);
  }
}

function apiError(action: string, error: unknown): KubeApiError {
  return new KubeApiError(`Kubernetes API could not ${action}: ${messageOf(error)}`, statusOf(error), { cause: error });
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

function messageOf(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === "string") return parsed.message;
    } catch {
      // Not JSON: fall back to the error's own message.
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** Drops undefined fields (exactOptionalPropertyTypes). */
function clean<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
