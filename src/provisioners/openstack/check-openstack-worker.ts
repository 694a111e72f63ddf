/**
 * `eve lint`'s rule for an openstack `worker:` block: keys Eve ignored
 * (scality/metalk8s had `resources:`) are accepted, with a warning saying so.
 */
import type { RuleProblem, WorkerRule } from "../../buildfile/rule-problem.js";
import { toPointer } from "../../buildfile/yaml/yaml-positions.js";

const KNOWN = new Set(["type", "image", "flavor", "path"]);

export const checkOpenStackWorker: WorkerRule = (worker, pointer) =>
  Object.keys(worker)
    .filter((key) => !KNOWN.has(key))
    .map(
      (key): RuleProblem => ({
        pointer: `${pointer}${toPointer([key])}`,
        severity: "warning",
        atKey: true,
        message:
          key === "resources"
            ? "openstack worker key 'resources' is ignored, as Eve ignored its values; it only sets the multivm_prefix property"
            : `openstack worker key '${key}' is ignored (Eve knew image, flavor and path)`,
      }),
    );
