/**
 * The step types Eve knows: what `eve lint` accepts and what the engine can
 * run. Eve resolved any Buildbot 2.7 step plus its own; we know the ones real
 * build files use. The parameters of each live in
 * `schemas/build-file.schema.json` (definitions/steps), checked against this
 * list by a test.
 */

/** What Eve knows about one step type. */
export interface StepTypeInfo {
  /** The engine runs this step type itself. */
  readonly supported: boolean;
  /**
   * A step type whose implementation can run this one (an alias, or a close
   * equivalent for a step not supported yet: JUnitShellCommand runs its command
   * without reading the reports).
   */
  readonly runsAs?: string;
}

export const STEP_TYPES = {
  ShellCommand: { supported: true },
  ShellCommandWithSecrets: { supported: true, runsAs: "ShellCommand" },
  SetProperty: { supported: true },
  SetProperties: { supported: true },
  SetPropertyFromCommand: { supported: true },
  EveProperty: { supported: true },
  EvePropertyFromCommand: { supported: true },
  Git: { supported: true },
  TriggerStages: { supported: true },
  MasterShellCommand: { supported: true },
  Upload: { supported: false },
  GetArtifactsFromStage: { supported: false },
  JUnitShellCommand: { supported: false, runsAs: "ShellCommand" },
  PublishCoverageReport: { supported: false },
  SetBootstrapProperty: { supported: false, runsAs: "SetProperty" },
  SetBootstrapPropertyFromCommand: { supported: false, runsAs: "SetPropertyFromCommand" },
  DockerBuild: { supported: false },
  DockerCheckLocalImage: { supported: false },
  DockerPull: { supported: false },
  DockerComputeImageFingerprint: { supported: false },
  DockerPush: { supported: false },
} as const satisfies Record<string, StepTypeInfo>;

export type StepTypeName = keyof typeof STEP_TYPES;

/** Every known step type, in catalog order (for messages). */
export const KNOWN_STEP_TYPES = Object.keys(STEP_TYPES) as StepTypeName[];

/** True when `name` is a step type Eve knows (own keys only: "toString" is not a step). */
export function isKnownStepType(name: string): name is StepTypeName {
  return Object.hasOwn(STEP_TYPES, name);
}

/** The catalog entry of a step type, or undefined when Eve does not know it. */
export function getStepType(name: string): StepTypeInfo | undefined {
  return isKnownStepType(name) ? STEP_TYPES[name] : undefined;
}
