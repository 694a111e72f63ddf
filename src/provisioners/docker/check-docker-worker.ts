/**
 * `eve lint`'s rules for a docker `worker:` block: its `dockerfile` is read on
 * the Eve host (absolute paths and `..` are errors, as the provisioner refuses
 * them); a volume's host path with `..` is an error, an absolute host path a
 * warning, since only the operator's allowed host paths can be mounted.
 */
import { checkRepositoryPathAt } from "../../buildfile/check-path-rules.js";
import type { RuleProblem, WorkerRule } from "../../buildfile/rule-problem.js";

export const checkDockerWorker: WorkerRule = (worker, pointer) => {
  const problems: RuleProblem[] = [];
  const dockerfile = checkRepositoryPathAt(worker.dockerfile, `${pointer}/dockerfile`, "dockerfile");
  if (dockerfile) problems.push(dockerfile);
  if (Array.isArray(worker.volumes)) worker.volumes.forEach((volume: unknown, index) => checkVolume(volume, `${pointer}/volumes/${index}`, problems));
  return problems;
};

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
