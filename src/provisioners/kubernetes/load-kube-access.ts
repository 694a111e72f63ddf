/**
 * How kube_pod workers reach their cluster — Buildbot's three ways: the
 * service account of the pod Eve runs in, a kubeconfig file, or an API server
 * URL and a bearer token. Malformed values are errors; an access that cannot
 * work here (no pod, no file, no token) is a problem, which only matters
 * where kube_pod stages run. The token never appears in a message.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { KubeClusterAccess } from "./kube-settings.js";
import type { EnvReader } from "../../config/env-reader.js";

export const KUBE_ACCESS_MODES = ["in-cluster", "kubeconfig", "token"] as const;
/** Where Kubernetes mounts a pod's service account. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface KubeAccessResult {
  access: KubeClusterAccess;
  /** Why this access cannot work here; empty when it can. */
  problems: string[];
  /** The namespace the access implies: the pod's own, or the kubeconfig context's. */
  namespace: string | undefined;
}

export function loadKubeAccess(env: EnvReader, errors: string[]): KubeAccessResult {
  const raw = env.read("EVE_KUBE_ACCESS");
  // Without EVE_KUBE_ACCESS the other settings say which way is meant.
  let mode = raw?.toLowerCase() ?? (env.read("EVE_KUBE_SERVER") ? "token" : env.read("EVE_KUBE_CONFIG") ? "kubeconfig" : "in-cluster");
  if (!(KUBE_ACCESS_MODES as readonly string[]).includes(mode)) {
    errors.push(`EVE_KUBE_ACCESS=${raw ?? ""}: expected ${KUBE_ACCESS_MODES.join(", ")}`);
    mode = "in-cluster";
  }
  if (mode === "kubeconfig") return kubeconfigAccess(env);
  if (mode === "token") return tokenAccess(env, errors);
  return inClusterAccess(env);
}

function inClusterAccess(env: EnvReader): KubeAccessResult {
  const access: KubeClusterAccess = { mode: "in-cluster" };
  if (env.read("KUBERNETES_SERVICE_HOST") === undefined) {
    return { access, namespace: undefined, problems: ["EVE_KUBE_ACCESS=in-cluster: Eve is not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set); use EVE_KUBE_CONFIG (a kubeconfig file) or EVE_KUBE_SERVER and EVE_KUBE_TOKEN"] };
  }
  const token = readText(join(SERVICE_ACCOUNT_DIR, "token"));
  if (typeof token !== "string") {
    return { access, namespace: undefined, problems: [`EVE_KUBE_ACCESS=in-cluster: no service account token in ${SERVICE_ACCOUNT_DIR} (${token.error}); is automountServiceAccountToken off?`] };
  }
  const namespace = readText(join(SERVICE_ACCOUNT_DIR, "namespace"));
  return { access, namespace: typeof namespace === "string" ? namespace.trim() : undefined, problems: [] };
}

/** The kubeconfig file as kubectl finds it, checked for the context Eve will use. */
function kubeconfigAccess(env: EnvReader): KubeAccessResult {
  const given = env.read("EVE_KUBE_CONFIG");
  const path = given ?? env.read("KUBECONFIG")?.split(":")[0] ?? join(homedir(), ".kube", "config");
  const context = env.read("EVE_KUBE_CONTEXT");
  const access: KubeClusterAccess = context === undefined ? { mode: "kubeconfig", path } : { mode: "kubeconfig", path, context };
  const setting = `EVE_KUBE_CONFIG=${path}${given === undefined ? " (the default)" : ""}`;
  const text = readText(path);
  if (typeof text !== "string") return { access, namespace: undefined, problems: [`${setting}: cannot read it (${text.error})`] };
  let config: Kubeconfig;
  try {
    config = (parse(text) ?? {}) as Kubeconfig;
  } catch (error) {
    return { access, namespace: undefined, problems: [`${setting}: not a kubeconfig (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`] };
  }
  const contexts = Array.isArray(config.contexts) ? config.contexts : [];
  const name = context ?? config["current-context"];
  if (name === undefined || name === "") return { access, namespace: undefined, problems: [`${setting}: it has no current-context; set EVE_KUBE_CONTEXT`] };
  const found = contexts.find((entry) => entry?.name === name);
  if (!found) {
    const known = contexts.map((entry) => entry?.name).filter(Boolean).join(", ") || "none";
    return { access, namespace: undefined, problems: [`${context === undefined ? setting : `EVE_KUBE_CONTEXT=${context}`}: no context '${name}' in ${path} (contexts: ${known})`] };
  }
  return { access, namespace: found.context?.namespace, problems: [] };
}

function tokenAccess(env: EnvReader, errors: string[]): KubeAccessResult {
  const server = env.read("EVE_KUBE_SERVER") ?? "";
  const token = env.read("EVE_KUBE_TOKEN") ?? "";
  const caFile = env.read("EVE_KUBE_CA_FILE");
  const skipTlsVerify = env.flag("EVE_KUBE_SKIP_TLS_VERIFY", false);
  const problems: string[] = [];
  if (server === "") problems.push("EVE_KUBE_ACCESS=token: EVE_KUBE_SERVER is not set (the API server's URL)");
  else if (!isHttpUrl(server)) errors.push(`EVE_KUBE_SERVER=${server}: expected the API server's URL, e.g. https://kube.example.com:6443`);
  if (token === "") problems.push("EVE_KUBE_ACCESS=token: EVE_KUBE_TOKEN is not set (a bearer token of Eve's service account)");
  if (caFile !== undefined) {
    const ca = readText(caFile);
    if (typeof ca !== "string") errors.push(`EVE_KUBE_CA_FILE=${caFile}: cannot read it (${ca.error})`);
  }
  const access: KubeClusterAccess = { mode: "token", server, token, skipTlsVerify, ...(caFile === undefined ? {} : { caFile }) };
  return { access, namespace: undefined, problems };
}

/** The parts of a kubeconfig Eve checks. */
interface Kubeconfig {
  "current-context"?: string;
  contexts?: ({ name?: string; context?: { namespace?: string } } | null)[];
}

function readText(path: string): string | { error: string } {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

export function isHttpUrl(value: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
