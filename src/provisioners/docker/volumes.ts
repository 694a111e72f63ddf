/**
 * A stage's `volumes`, in `docker run -v` syntax, checked against the
 * operator's settings: named volumes and anonymous volumes are always
 * allowed; a host path only under a prefix the operator listed.
 */
import { isAbsolute, normalize } from "node:path";
import type { MountSpec } from "./docker-client.js";

export interface ParsedVolumes {
  mounts: MountSpec[];
  anonymous: string[];
}

export type VolumesResult = { ok: true; volumes: ParsedVolumes } | { ok: false; message: string };

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function parseVolumes(specs: readonly string[], allowedBindPaths: readonly string[]): VolumesResult {
  const volumes: ParsedVolumes = { mounts: [], anonymous: [] };
  for (const spec of specs) {
    const parts = spec.split(":");
    if (parts.length === 1) {
      const target = checkTarget(spec);
      if (typeof target !== "string") return target;
      volumes.anonymous.push(target);
      continue;
    }
    if (parts.length > 3) return refuse(spec, "expected source:target[:ro|rw]");
    const [source = "", rawTarget = "", mode = "rw"] = parts;
    if (mode !== "ro" && mode !== "rw") return refuse(spec, `unknown mode '${mode}' (ro or rw)`);
    const target = checkTarget(rawTarget, spec);
    if (typeof target !== "string") return target;
    const readOnly = mode === "ro";
    if (VOLUME_NAME.test(source)) {
      volumes.mounts.push({ type: "volume", source, target, readOnly });
      continue;
    }
    if (!isAbsolute(source) || source.split("/").includes("..")) {
      return refuse(spec, `'${source}' is neither a volume name nor an absolute host path without '..'`);
    }
    if (!isBindAllowed(source, allowedBindPaths)) {
      return refuse(spec, `mounting host path '${source}' is not allowed on this Eve (the operator lists the host paths builds may mount)`);
    }
    volumes.mounts.push({ type: "bind", source, target, readOnly });
  }
  return { ok: true, volumes };
}

function checkTarget(target: string, spec = target): string | { ok: false; message: string } {
  if (!isAbsolute(target)) return refuse(spec, `the container path '${target}' must be absolute`);
  if (target.split("/").includes("..")) return refuse(spec, `the container path '${target}' must not contain '..'`);
  return target;
}

function isBindAllowed(source: string, allowed: readonly string[]): boolean {
  const path = normalize(source);
  return allowed.some((prefix) => {
    const root = normalize(prefix).replace(/\/+$/, "");
    return path === root || path.startsWith(`${root}/`) || root === "";
  });
}

function refuse(spec: string, why: string): { ok: false; message: string } {
  return { ok: false, message: `volume '${spec}': ${why}` };
}
