/**
 * Step display names: the yaml `name` cut to 50 characters (before an
 * interpolation the cut would split, as Eve did), Buildbot's default name for
 * unnamed steps, and `_1`, `_2` suffixes for repeated names, as Buildbot.
 */
import { pythonStr } from "../buildfile/python-values.js";
import type { StepDef } from "../buildfile/types.js";

export const MAX_NAME_LENGTH = 50;

/**
 * The `name` class attribute of each step in Buildbot 2.7 (master/buildbot/steps/*.py)
 * and Eve (eve/steps/*.py): what an unnamed step is called.
 */
const DEFAULT_NAMES: Record<string, string> = {
  ShellCommand: "shell",
  ShellCommandWithSecrets: "shell",
  SetProperty: "SetProperty",
  EveProperty: "SetProperty",
  SetProperties: "SetProperties",
  SetPropertyFromCommand: "setproperty",
  EvePropertyFromCommand: "setproperty",
  Git: "git",
  TriggerStages: "trigger",
  MasterShellCommand: "MasterShellCommand",
  JUnitShellCommand: "junit_shell",
  SetBootstrapProperty: "SetBootstrapProperty",
  SetBootstrapPropertyFromCommand: "SetBootstrapPropertyFromCommand",
  SetWorkerDistro: "SetWorkerDistro",
  PublishCoverageReport: "publish code coverage report",
  Upload: "send artifacts to artifact repository",
};

/** Eve's steps whose default name says what they work on (`[label] build`, cut to 49 as Eve did). */
const LABELLED_NAMES: Record<string, string> = {
  DockerBuild: "build",
  DockerCheckLocalImage: "look up",
  DockerComputeImageFingerprint: "fingerprint",
  DockerPull: "pull",
  DockerPush: "push",
};

/** The step's name before interpolation. */
export function rawStepName(step: StepDef): string {
  const name = step.params.name;
  if (name !== undefined && name !== null && name !== "") return truncateName(pythonStr(name));
  if (Object.hasOwn(LABELLED_NAMES, step.type)) return `[${pythonStr(step.params.label ?? "")}] ${LABELLED_NAMES[step.type] ?? ""}`.slice(0, 49);
  if (step.type === "GetArtifactsFromStage") return truncateName(`get artifacts name from stage: ${pythonStr(step.params.stage ?? "")}`);
  return Object.hasOwn(DEFAULT_NAMES, step.type) ? (DEFAULT_NAMES[step.type] ?? step.type) : step.type;
}

export function truncateName(name: string): string {
  if (name.length <= MAX_NAME_LENGTH) return name;
  const cut = name.slice(0, MAX_NAME_LENGTH);
  const open = cut.lastIndexOf("%(");
  return open >= 0 && !cut.slice(open).includes(")s") ? cut.slice(0, open) : cut;
}

/** Hands out unique names within one stage. */
export class StepNames {
  private readonly used = new Set<string>();

  unique(name: string): string {
    let candidate = name;
    for (let n = 1; this.used.has(candidate); n++) candidate = `${name}_${n}`;
    this.used.add(candidate);
    return candidate;
  }
}
