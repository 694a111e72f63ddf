/**
 * EVE_KUBE_SERVICES: a yaml (or JSON) file listing the external clusters
 * offered to kube_pod stages that ask for a `service`:
 *
 *   - attributes: {name: metalk8s, version: "2.4"}   # matched against service.requests
 *     access: {mode: kubeconfig, path: /etc/eve/clusters/metalk8s.conf, context: ci}
 *     server: https://10.0.0.5:6443                  # optional: the URL pods use
 *
 * Every wrong entry is one message that names it; tokens are never quoted.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { KubeClusterAccess, KubeServiceCluster } from "./kube-settings.js";
import { isReadable } from "../../config/is-readable.js";
import { isHttpUrl, KUBE_ACCESS_MODES } from "./load-kube-access.js";

type Obj = Record<string, unknown>;

const CLUSTER_KEYS = ["attributes", "access", "server", "caData", "skipTlsVerify"];
const ACCESS_KEYS: Record<string, string[]> = {
  "in-cluster": ["mode"],
  kubeconfig: ["mode", "path", "context"],
  token: ["mode", "server", "token", "caFile", "skipTlsVerify"],
};

export function loadKubeServices(path: string | undefined, errors: string[]): KubeServiceCluster[] {
  if (path === undefined) return [];
  const setting = `EVE_KUBE_SERVICES=${path}`;
  let data: unknown;
  try {
    data = parse(readFileSync(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    errors.push(`${setting}: ${code ? `cannot read it (${code})` : `not yaml or JSON (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`}`);
    return [];
  }
  if (!Array.isArray(data)) {
    errors.push(`${setting}: expected a list of clusters, each {attributes, access, server?, caData?, skipTlsVerify?}`);
    return [];
  }
  const clusters: KubeServiceCluster[] = [];
  data.forEach((entry: unknown, index) => {
    const problems: string[] = [];
    const cluster = readCluster(entry, problems);
    for (const problem of problems) errors.push(`${setting}: [${index}]${problem}`);
    if (cluster && problems.length === 0) clusters.push(cluster);
  });
  return clusters;
}

function readCluster(entry: unknown, problems: string[]): KubeServiceCluster | undefined {
  if (!isObj(entry)) {
    problems.push(": expected a mapping {attributes, access, …}");
    return undefined;
  }
  unknownKeys(entry, CLUSTER_KEYS, "", problems);
  const attributes: Record<string, string> = {};
  if (!isObj(entry.attributes) || Object.keys(entry.attributes).length === 0) problems.push(".attributes: expected a mapping such as {name: metalk8s, version: '2.4'}");
  else {
    for (const [key, value] of Object.entries(entry.attributes)) {
      if (["string", "number", "boolean"].includes(typeof value)) Object.defineProperty(attributes, key, { value: String(value), enumerable: true });
      else problems.push(`.attributes.${key}: expected a string`);
    }
  }
  const access = readAccess(entry.access, problems);
  const cluster: KubeServiceCluster = { attributes, access: access ?? { mode: "in-cluster" } };
  if (entry.server !== undefined) {
    if (typeof entry.server === "string" && isHttpUrl(entry.server)) cluster.server = entry.server;
    else problems.push(".server: expected the API server's URL as pods reach it");
  }
  if (entry.caData !== undefined) {
    if (typeof entry.caData === "string") cluster.caData = entry.caData;
    else problems.push(".caData: expected the server's CA, PEM in base64");
  }
  if (entry.skipTlsVerify !== undefined) {
    if (typeof entry.skipTlsVerify === "boolean") cluster.skipTlsVerify = entry.skipTlsVerify;
    else problems.push(".skipTlsVerify: expected true or false");
  }
  return access ? cluster : undefined;
}

function readAccess(value: unknown, problems: string[]): KubeClusterAccess | undefined {
  const mode = isObj(value) ? value.mode : undefined;
  if (!isObj(value) || typeof mode !== "string" || !(KUBE_ACCESS_MODES as readonly string[]).includes(mode)) {
    problems.push(`.access: expected {mode: ${KUBE_ACCESS_MODES.join(" | ")}, …}`);
    return undefined;
  }
  unknownKeys(value, ACCESS_KEYS[mode] ?? [], ".access", problems);
  const string = (key: string): string | undefined => (typeof value[key] === "string" && value[key] !== "" ? value[key] : undefined);
  if (mode === "in-cluster") return { mode };
  if (mode === "kubeconfig") {
    const path = string("path");
    if (path === undefined) problems.push(".access.path: expected the path of a kubeconfig file");
    else if (!isReadable(path)) problems.push(`.access.path: cannot read ${path}`);
    const context = string("context");
    return path === undefined ? undefined : { mode, path, ...(context === undefined ? {} : { context }) };
  }
  const server = string("server");
  const token = string("token");
  const caFile = string("caFile");
  if (server === undefined || !isHttpUrl(server)) problems.push(".access.server: expected the API server's URL");
  if (token === undefined) problems.push(".access.token: expected a bearer token");
  if (caFile !== undefined && !isReadable(caFile)) problems.push(`.access.caFile: cannot read ${caFile}`);
  if (server === undefined || token === undefined) return undefined;
  return { mode: "token", server, token, ...(caFile === undefined ? {} : { caFile }), ...(value.skipTlsVerify === true ? { skipTlsVerify: true } : {}) };
}

function unknownKeys(value: Obj, known: string[], where: string, problems: string[]): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) problems.push(`${where}.${key}: unknown key (expected ${known.join(", ")})`);
}

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
