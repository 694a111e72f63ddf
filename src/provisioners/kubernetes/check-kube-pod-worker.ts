/** `eve lint`'s rules for a kube_pod `worker:` block: its image contexts and Dockerfiles are read on the Eve host. */
import { checkRepositoryPathAt } from "../../buildfile/check-path-rules.js";
import type { RuleProblem, WorkerRule } from "../../buildfile/rule-problem.js";
import { toPointer } from "../../buildfile/yaml/yaml-positions.js";

export const checkKubePodWorker: WorkerRule = (worker, pointer) => {
  const images = worker.images;
  if (!isMapping(images)) return [];
  const problems: (RuleProblem | undefined)[] = [];
  const at = (...segments: string[]): string => `${pointer}${toPointer(["images", ...segments])}`;
  for (const [name, image] of Object.entries(images)) {
    if (typeof image === "string") problems.push(checkRepositoryPathAt(image, at(name), "image context"));
    else if (isMapping(image)) {
      problems.push(checkRepositoryPathAt(image.context, at(name, "context"), "image context"));
      problems.push(checkRepositoryPathAt(image.dockerfile, at(name, "dockerfile"), "image dockerfile"));
    }
  }
  return problems.filter((problem) => problem !== undefined);
};

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
