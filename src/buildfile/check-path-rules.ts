/**
 * What `eve lint` can tell about paths without the repository at hand.
 *
 * Repository paths (docker `path`/`dockerfile`, kube_pod `path` and image
 * contexts, openstack `path`) are read on the Eve host: absolute paths and
 * `..` are errors, as the provisioners refuse them (links are checked there).
 * A docker volume's host path with `..` is an error; an absolute host path is
 * a warning, since only the operator's allowed host paths can be mounted.
 *
 * Worker paths (`workdir`, `Upload` `source`, `logfiles`) name places inside
 * the worker, so absolute ones are legal, as in Eve (`workdir: /tmp`,
 * `/artifacts/s3.log` in the corpus). A relative one that climbs above the
 * builder directory with `..` gets a warning: on a `local` worker it reaches
 * other stages' directories.
 */
import type { RuleProblem } from "./check-build-file-rules.js";
import { checkRepositoryPath, climbsOut } from "./check-repository-path.js";
import { toPointer } from "./yaml/yaml-positions.js";

type Mapping = Record<string, unknown>;

export function checkWorkerPaths(worker: unknown, pointer: string): RuleProblem[] {
  if (!isMapping(worker)) return [];
  const problems: RuleProblem[] = [];
  const at = (...segments: (string | number)[]): string => `${pointer}${toPointer(segments)}`;
  const repositoryPath = (value: unknown, where: string, what: string): void => {
    if (typeof value !== "string") return;
    const problem = checkRepositoryPath(value);
    if (problem) problems.push({ pointer: where, severity: "error", message: `${what} '${value}' ${problem}` });
  };
  repositoryPath(worker.path, at("path"), "path");
  if (worker.type === "docker") {
    repositoryPath(worker.dockerfile, at("dockerfile"), "dockerfile");
    if (Array.isArray(worker.volumes)) worker.volumes.forEach((volume: unknown, index) => checkVolume(volume, at("volumes", index), problems));
  }
  if (worker.type === "kube_pod" && isMapping(worker.images)) {
    for (const [name, image] of Object.entries(worker.images)) {
      if (typeof image === "string") repositoryPath(image, at("images", name), `image context`);
      else if (isMapping(image)) {
        repositoryPath(image.context, at("images", name, "context"), "image context");
        repositoryPath(image.dockerfile, at("images", name, "dockerfile"), "image dockerfile");
      }
    }
  }
  return problems;
}

export function checkStepPaths(type: string, params: Mapping, pointer: string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const workerPath = (value: unknown, where: string, what: string): void => {
    if (typeof value === "string" && climbsOut(value)) {
      problems.push({ pointer: where, severity: "warning", message: `${what} '${value}' climbs above the builder directory with '..'` });
    }
  };
  const at = (...segments: (string | number)[]): string => `${pointer}${toPointer(segments)}`;
  workerPath(params.workdir, at("workdir"), "workdir");
  if (type === "Upload" || type === "Uploadv3") workerPath(params.source, at("source"), "source");
  if (isMapping(params.logfiles)) {
    for (const [name, file] of Object.entries(params.logfiles)) {
      const filename = isMapping(file) ? file.filename : file;
      workerPath(filename, isMapping(file) ? at("logfiles", name, "filename") : at("logfiles", name), "logfile");
    }
  }
  return problems;
}

/** `[source:]target[:mode]`, as docker-provisioner's parseVolumes reads it. */
function checkVolume(volume: unknown, pointer: string, problems: RuleProblem[]): void {
  if (typeof volume !== "string") return;
  const parts = volume.split(":");
  if (parts.some((part) => part.split("/").includes(".."))) {
    problems.push({ pointer, severity: "error", message: `volume '${volume}' must not contain '..'` });
  } else if (parts.length > 1 && parts[0]?.startsWith("/")) {
    const message = `volume '${volume}' mounts the host path '${parts[0]}': this Eve refuses it unless its operator allows that path`;
    problems.push({ pointer, severity: "warning", message });
  }
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
