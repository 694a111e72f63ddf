/**
 * `/eve rerun [<stage>] [key=value ...]` on a pull request: new attempts of
 * stages of the latest build of the head commit. The answer says why when
 * nothing can be re-run (no build, unknown stage, still running).
 */
import type { BuildFile } from "../buildfile/types.js";
import { loadBuildFile } from "../queue/build-file-store.js";
import { getLatestBuild, getStageRuns } from "../queue/build-registry.js";
import { getLatestStageRuns, rerunStage, selectFailedStages } from "../queue/rerun-stages.js";
import type { CommandAnswer, CommandOptions, CommandTarget } from "./command-target.js";

/** Stage names listed in a reply, at most. */
const STAGES_LISTED = 50;

export async function runRerunCommand(
  options: CommandOptions,
  target: CommandTarget,
  stage: string | undefined,
  properties: Record<string, string>,
  requestedBy?: string,
): Promise<CommandAnswer> {
  const { queues, reporter } = options;
  const found = await findBuild(options, target);
  if ("reply" in found) return found;
  const { buildFile } = found;
  const runs = await getStageRuns(queues, found.build);
  const statuses = await getLatestStageRuns(queues, runs);
  if (stage !== undefined) {
    if (!buildFile.stages.has(stage)) return { reply: `there is no stage \`${stage}\` in \`${options.buildFilePath}\`; its stages are ${listStages(buildFile)}.` };
    if (statuses.some((status) => status.entry.data.stage.stage === stage && status.state === "running")) {
      return { reply: `\`${stage}\` is still running on ${short(target.sha)}: wait for it to end, or \`/eve cancel\` the build first.` };
    }
    const run = await rerunStage({ queues, reporter, buildFile, runs, stage, properties, ...(requestedBy === undefined ? {} : { requestedBy }) });
    return run ? { reaction: "rocket" } : { reply: `Eve has no record of the build of ${short(target.sha)} any more: push again to build it.` };
  }
  if (statuses.some((status) => status.state === "running")) {
    return { reply: `the build of ${short(target.sha)} is still running: wait for it to end, or \`/eve cancel\` it first.` };
  }
  const failed = selectFailedStages(statuses);
  if (failed.length === 0) return { reply: `every stage of the latest build of ${short(target.sha)} succeeded: nothing to re-run.` };
  for (const status of failed) {
    await rerunStage({ queues, reporter, buildFile, runs, stage: status.entry.data.stage.stage, properties, ...(requestedBy === undefined ? {} : { requestedBy }) });
  }
  return { reaction: "rocket" };
}

/** The latest build of the head commit and its file, or the reply that says why there is none. */
export async function findBuild(options: CommandOptions, target: CommandTarget): Promise<{ build: string; buildFile: BuildFile } | CommandAnswer & { reply: string }> {
  const build = await getLatestBuild(options.queues, target.repository.id, target.sha);
  if (build === undefined) {
    const fork = target.fromFork ? " Pull requests from forks are built once a maintainer comments `/eve approve`." : "";
    return { reply: `there is no build of ${short(target.sha)}, the head of this pull request.${fork}` };
  }
  const buildFile = await loadRecordedBuildFile(options, build);
  if (!buildFile) return { reply: `Eve has no record of the build of ${short(target.sha)} any more: push again to build it.` };
  return { build, buildFile };
}

/** The file a recorded build runs; undefined once it has expired. */
export async function loadRecordedBuildFile(options: Pick<CommandOptions, "queues" | "buildFilePath">, build: string): Promise<BuildFile | undefined> {
  const buildFile = await loadBuildFile(options.queues, build, options.buildFilePath);
  return typeof buildFile === "string" ? undefined : buildFile;
}

function listStages(buildFile: BuildFile): string {
  const names = [...buildFile.stages.keys()];
  const listed = names.slice(0, STAGES_LISTED).map((name) => `\`${name}\``).join(", ");
  return names.length > STAGES_LISTED ? `${listed} and ${names.length - STAGES_LISTED} more` : listed;
}

export function short(sha: string): string {
  return sha.slice(0, 7);
}
