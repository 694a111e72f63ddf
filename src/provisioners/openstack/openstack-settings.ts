/**
 * OpenStack workers' settings: the cloud through the standard OS_* variables
 * (as the `openstack` CLI and Eve read them), the rest through EVE_OPENSTACK_*
 * and Eve's own OS_KEY_NAME, OS_MAPPING_FILE_PATH, OS_PROVIDER, OS_NETWORK_*.
 */
import type { EnvReader } from "../../config/env-reader.js";
import type { Setting } from "../../config/setting.js";

/** How Eve proves who it is to Keystone v3. */
export type OpenStackCredentials =
  | { kind: "password"; username: string; password: string; userDomain: DomainRef; project: { id: string } | { name: string; domain: DomainRef } }
  | { kind: "application_credential"; id: string | undefined; name: string | undefined; username: string | undefined; userDomain: DomainRef; secret: string };

/** A Keystone domain, by id or by name. */
export type DomainRef = { id: string } | { name: string };

export interface OpenStackSettings {
  authUrl: string;
  credentials: OpenStackCredentials | undefined;
  region: string | undefined;
  /** Endpoint interface of the catalog: public, internal or admin. */
  interface: string;
  /** An operator key pair (OS_KEY_NAME) and its private key file; unset: a key pair per stage run. */
  keyName: string | undefined;
  sshKeyFile: string | undefined;
  sshUser: string;
  sshPort: number;
  /** Network UUIDs servers are attached to; empty: Nova's `auto`. */
  networks: string[];
  /** Name of the network (in a server's addresses) whose address Eve connects to; unset: the first. */
  sshNetwork: string | undefined;
  mappingFile: string | undefined;
  provider: string | undefined;
  /** Seconds a server may take to be ACTIVE and answer SSH (Eve's missing_timeout). */
  bootTimeoutS: number;
  pollIntervalS: number;
  requirementsAttempts: number;
  requirementsDelayS: number;
  /** Seconds between tries of a server creation refused by the quota. */
  quotaRetryS: number;
  quarantineS: number;
  quarantineMaxS: number;
  /** The stage's builder directory in the VM; unset: `<home of sshUser>/workspace`. */
  builderDir: string | undefined;
}

export const OPENSTACK_SETTINGS: readonly Setting[] = [
  { name: "OS_AUTH_URL", default: undefined, description: "Keystone v3 URL of the cloud of openstack workers (required with openstack in EVE_WORKER_TYPES)" },
  { name: "OS_USERNAME", default: undefined, description: "user for password authentication (with OS_PASSWORD)" },
  { name: "OS_PASSWORD", default: undefined, description: "its password (a secret: never logged)" },
  { name: "OS_USER_DOMAIN_NAME", default: "Default", description: "domain of OS_USERNAME" },
  { name: "OS_PROJECT_NAME", default: "$OS_TENANT_NAME", description: "project the servers are created in" },
  { name: "OS_PROJECT_DOMAIN_NAME", default: "Default", description: "domain of OS_PROJECT_NAME (also OS_PROJECT_DOMAIN_ID, as Eve read it)" },
  { name: "OS_APPLICATION_CREDENTIAL_ID", default: undefined, description: "application credential (with OS_APPLICATION_CREDENTIAL_SECRET), instead of a password; or OS_APPLICATION_CREDENTIAL_NAME with OS_USERNAME" },
  { name: "OS_APPLICATION_CREDENTIAL_SECRET", default: undefined, description: "its secret (never logged)" },
  { name: "OS_REGION_NAME", default: undefined, description: "region of the catalog's endpoints (default: the first)" },
  { name: "OS_INTERFACE", default: "public", description: "endpoint interface of the catalog: public, internal or admin" },
  { name: "OS_KEY_NAME", default: undefined, description: "an existing key pair for every server (with EVE_OPENSTACK_SSH_KEY); unset: Eve creates an ed25519 key pair per stage run and deletes it after" },
  { name: "EVE_OPENSTACK_SSH_KEY", default: undefined, description: "private key file matching OS_KEY_NAME (Eve's OS_SSH_KEY)" },
  { name: "EVE_OPENSTACK_SSH_USER", default: "root", description: "user Eve logs in as over SSH (a cloud image's default user, e.g. debian); init.sh runs through sudo when it is not root" },
  { name: "EVE_OPENSTACK_SSH_PORT", default: "22", description: "SSH port of the servers" },
  { name: "EVE_OPENSTACK_NETWORKS", default: undefined, description: "comma-separated network UUIDs every server is attached to (also Eve's OS_NETWORK_PUBLIC, _SERVICE, _PRIVATE); unset: Nova's auto" },
  { name: "EVE_OPENSTACK_SSH_NETWORK", default: undefined, description: "network name whose address Eve connects to (default: a floating address, else the first)" },
  { name: "OS_MAPPING_FILE_PATH", default: undefined, description: "yaml renaming images and flavors per provider/region, as Eve's: {<OS_PROVIDER>[_<OS_REGION_NAME>]: [{image|flavor: {original_value, new_value}}]}" },
  { name: "OS_PROVIDER", default: undefined, description: "provider name looked up in OS_MAPPING_FILE_PATH" },
  { name: "EVE_OPENSTACK_BOOT_TIMEOUT", default: "900", description: "seconds a server may take to be ACTIVE and answer SSH (Eve's 15 minutes)" },
  { name: "EVE_OPENSTACK_POLL_INTERVAL", default: "10", description: "seconds between polls of a server's status (Eve's 10)" },
  { name: "EVE_OPENSTACK_REQUIREMENTS_ATTEMPTS", default: "5", description: "tries of a worker's requirements.sh (Eve's 5)" },
  { name: "EVE_OPENSTACK_REQUIREMENTS_DELAY", default: "30", description: "seconds between tries of requirements.sh (Eve's 30)" },
  { name: "EVE_OPENSTACK_QUOTA_RETRY", default: "60", description: "seconds between tries of a server creation the cloud refused for quota; the stage waits (up to the boot timeout) instead of failing" },
  { name: "EVE_OPENSTACK_QUARANTINE", default: "300", description: "seconds no server is asked of a cloud that failed to give one; doubles on each failure up to EVE_OPENSTACK_QUARANTINE_MAX (Eve: 5 min to 1 h)" },
  { name: "EVE_OPENSTACK_QUARANTINE_MAX", default: "3600", description: "longest quarantine, seconds" },
  { name: "EVE_OPENSTACK_BUILDER_DIR", default: "<home of the SSH user>/workspace", description: "the stage's builder directory in the VM" },
];

export function loadOpenStackSettings(env: EnvReader, errors: string[]): OpenStackSettings {
  const seconds = (name: string, fallback: number): number => {
    const raw = env.read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(value)) {
      errors.push(`${name}=${raw}: expected a number of seconds, e.g. ${fallback}`);
      return fallback;
    }
    return value;
  };
  const networks = [env.read("EVE_OPENSTACK_NETWORKS"), env.read("OS_NETWORK_PUBLIC"), env.read("OS_NETWORK_SERVICE"), env.read("OS_NETWORK_PRIVATE")]
    .flatMap((value) => (value ?? "").split(","))
    .map((value) => value.trim())
    .filter((value) => value !== "");
  for (const network of networks) {
    if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(network)) errors.push(`EVE_OPENSTACK_NETWORKS: ${network} is not a network UUID`);
  }
  const keyName = env.read("OS_KEY_NAME");
  const sshKeyFile = env.read("EVE_OPENSTACK_SSH_KEY") ?? env.read("OS_SSH_KEY");
  if (keyName !== undefined && sshKeyFile === undefined) errors.push("OS_KEY_NAME is set without EVE_OPENSTACK_SSH_KEY, the private key Eve logs in with");
  return {
    authUrl: (env.read("OS_AUTH_URL") ?? "").replace(/\/+$/, ""),
    credentials: readCredentials(env),
    region: env.read("OS_REGION_NAME"),
    interface: (env.read("OS_INTERFACE") ?? "public").replace(/URL$/, ""),
    keyName,
    sshKeyFile,
    sshUser: env.read("EVE_OPENSTACK_SSH_USER") ?? "root",
    sshPort: env.integer("EVE_OPENSTACK_SSH_PORT", 22, 1),
    networks,
    sshNetwork: env.read("EVE_OPENSTACK_SSH_NETWORK"),
    mappingFile: env.read("OS_MAPPING_FILE_PATH"),
    provider: env.read("OS_PROVIDER"),
    bootTimeoutS: seconds("EVE_OPENSTACK_BOOT_TIMEOUT", 900),
    pollIntervalS: seconds("EVE_OPENSTACK_POLL_INTERVAL", 10),
    requirementsAttempts: env.integer("EVE_OPENSTACK_REQUIREMENTS_ATTEMPTS", 5, 1),
    requirementsDelayS: seconds("EVE_OPENSTACK_REQUIREMENTS_DELAY", 30),
    quotaRetryS: seconds("EVE_OPENSTACK_QUOTA_RETRY", 60),
    quarantineS: seconds("EVE_OPENSTACK_QUARANTINE", 300),
    quarantineMaxS: seconds("EVE_OPENSTACK_QUARANTINE_MAX", 3600),
    builderDir: env.read("EVE_OPENSTACK_BUILDER_DIR"),
  };
}

function readCredentials(env: EnvReader): OpenStackCredentials | undefined {
  const secret = env.read("OS_APPLICATION_CREDENTIAL_SECRET");
  if (secret !== undefined) {
    return { kind: "application_credential", id: env.read("OS_APPLICATION_CREDENTIAL_ID"), name: env.read("OS_APPLICATION_CREDENTIAL_NAME"), username: env.read("OS_USERNAME"), userDomain: domain(env, "OS_USER_DOMAIN"), secret };
  }
  const username = env.read("OS_USERNAME");
  const password = env.read("OS_PASSWORD");
  if (username === undefined || password === undefined) return undefined;
  const projectId = env.read("OS_PROJECT_ID") ?? env.read("OS_TENANT_ID");
  return {
    kind: "password",
    username,
    password,
    userDomain: domain(env, "OS_USER_DOMAIN"),
    project: projectId === undefined ? { name: env.read("OS_PROJECT_NAME") ?? env.read("OS_TENANT_NAME") ?? "", domain: domain(env, "OS_PROJECT_DOMAIN") } : { id: projectId },
  };
}

function domain(env: EnvReader, prefix: "OS_USER_DOMAIN" | "OS_PROJECT_DOMAIN"): DomainRef {
  const id = env.read(`${prefix}_ID`);
  return id === undefined ? { name: env.read(`${prefix}_NAME`) ?? "Default" } : { id };
}

/** Why a process cannot run openstack workers with these settings. */
export function getOpenStackProblems(settings: OpenStackSettings): string[] {
  const problems: string[] = [];
  if (settings.authUrl === "") problems.push("OS_AUTH_URL is not set");
  if (!settings.credentials) problems.push("no OpenStack credentials: set OS_USERNAME and OS_PASSWORD, or OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET");
  return problems;
}
