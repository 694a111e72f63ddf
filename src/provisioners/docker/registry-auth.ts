/**
 * Registry credentials for the Docker* steps, from a docker CLI config file
 * (`{"auths": {"registry.example.com": {"auth": base64("user:password")}}}`,
 * or `username`/`password`), as the operator's `docker login` writes it.
 */
import { readFileSync } from "node:fs";
import type { RegistryAuth } from "./docker-types.js";

export type RegistryAuths = ReadonlyMap<string, RegistryAuth>;

/** Reads the file; a message for each entry it cannot use. */
export function readRegistryAuths(path: string, errors: string[]): RegistryAuths {
  const auths = new Map<string, RegistryAuth>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    errors.push(`EVE_DOCKER_REGISTRY_AUTH_FILE=${path}: cannot be read as JSON (${error instanceof Error ? error.message : String(error)})`);
    return auths;
  }
  const entries = (parsed as { auths?: unknown } | null)?.auths;
  if (typeof entries !== "object" || entries === null) {
    errors.push(`EVE_DOCKER_REGISTRY_AUTH_FILE=${path}: expected {"auths": {"<registry>": {"auth": "<base64 user:password>"}}}`);
    return auths;
  }
  for (const [registry, entry] of Object.entries(entries)) {
    const { auth, username, password } = (entry ?? {}) as { auth?: unknown; username?: unknown; password?: unknown };
    const decoded = typeof auth === "string" ? Buffer.from(auth, "base64").toString("utf8") : undefined;
    const user = typeof username === "string" ? username : decoded?.slice(0, Math.max(0, decoded.indexOf(":")));
    const pass = typeof password === "string" ? password : decoded?.slice(decoded.indexOf(":") + 1);
    if (!user || pass === undefined || (decoded !== undefined && !decoded.includes(":"))) {
      errors.push(`EVE_DOCKER_REGISTRY_AUTH_FILE=${path}: no username and password for ${registry}`);
      continue;
    }
    const host = registry.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    auths.set(host, { username: user, password: pass, serveraddress: host });
  }
  return auths;
}

/** The credentials for an image's registry: its first path component when it looks like a host, else Docker Hub. */
export function getRegistryAuth(image: string, auths: RegistryAuths): RegistryAuth | undefined {
  const first = image.split("/")[0] ?? "";
  const host = image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
  return auths.get(host) ?? (host === "docker.io" ? auths.get("index.docker.io") : undefined);
}
