/**
 * Which stage a build runs, as Eve's bootstrap chose it (`ReadConfFromYaml`):
 * a forced stage wins; else the branch (`default` when there is none) is tried
 * against the patterns in file order, first match wins; else the `default`
 * entry; else nothing runs.
 */
import { fnmatch } from "./fnmatch.js";
import type { BuildFile } from "./types.js";

/** No stage runs: `skipped` when the branch is not covered (Eve: SKIPPED), false when the chosen stage does not exist (FAILURE). */
export interface NoStage {
  stage: undefined;
  reason: string;
  skipped: boolean;
}

export interface SelectStageOptions {
  /** Run this stage whatever the branch (Eve's `force_stage`). */
  forceStage?: string | undefined;
}

export function selectStage(buildFile: BuildFile, branch: string | undefined, options: SelectStageOptions = {}): { stage: string } | NoStage {
  const name = branch ?? "default";
  const stage = options.forceStage || matchStage(buildFile, name);
  if (stage === undefined) return { stage: undefined, skipped: true, reason: `Branch ${name} not covered by yaml file` };
  if (!buildFile.stages.has(stage)) return { stage: undefined, skipped: false, reason: `the specified stage cannot be found (${stage})` };
  return { stage };
}

function matchStage(buildFile: BuildFile, branch: string): string | undefined {
  const rule = buildFile.branches.find((candidate) => fnmatch(branch, candidate.pattern));
  return rule?.stage ?? buildFile.branches.find((candidate) => candidate.pattern === "default")?.stage;
}
