/**
 * What a build of a pull request from a fork may not do. Its build file and
 * code come from someone without write access: it gets no secret, no worker
 * type the operator keeps for trusted code (EVE_TRUSTED_ONLY_WORKERS; by
 * default the types whose module says `forks.trustedOnly`: those that run on
 * the Eve host or read the fork's files there), and no MasterShellCommand,
 * whatever the operator allows trusted builds.
 */
import { InterpolationError } from "../buildfile/interpolate.js";
import type { WorkerType } from "../buildfile/types.js";
import type { EngineSettings, SecretSource } from "../engine/types.js";

/** Every `%(secret:x)s` fails with a message that says why (Buildbot's "not found" would send users looking for a typo). */
export const UNTRUSTED_SECRETS: SecretSource = {
  get(name) {
    throw new InterpolationError(`secret '${name}' is not available: builds of pull requests from forks get no secrets`);
  },
  values: () => [],
};

/** Why an untrusted build may not run a stage on `type`, or undefined when it may. */
export function getUntrustedRefusal(type: WorkerType, trustedOnly: readonly WorkerType[]): string | undefined {
  if (!trustedOnly.includes(type)) return undefined;
  return `'${type}' workers do not run pull requests from forks on this Eve (EVE_TRUSTED_ONLY_WORKERS)`;
}

/** The engine settings of an untrusted build: MasterShellCommand would run its command on the Eve host. */
export function getUntrustedSettings(settings: EngineSettings): EngineSettings {
  return { ...settings, allowMasterShellCommand: false };
}
