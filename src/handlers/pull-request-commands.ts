/**
 * What an accepted command does on its pull request's head commit, and the
 * answer Eve gives: a reaction on the comment when it acts, a short reply
 * when it cannot (or has something to say, as for an approval).
 */
import type { Context } from "probot";
import { getLatestBuild, getStageRuns } from "../queue/build-registry.js";
import { cancelReportedBuilds } from "../queue/cancel-builds.js";
import { approveForkHead } from "../queue/fork-approvals.js";
import { getLatestStageRuns } from "../queue/rerun-stages.js";
import type { CommandAnswer, CommandOptions, CommandTarget } from "./command-target.js";
import type { EveCommand } from "./parse-command.js";
import { runPromoteCommand } from "./promote-command.js";
import { findBuild, runRerunCommand, short } from "./rerun-command.js";
import { startPullRequestBuild } from "./start-pull-request-build.js";

export interface CommandRequest {
  command: Exclude<EveCommand, { kind: "help" }>;
  target: CommandTarget;
  /** Login of the commenter (already checked for write permission). */
  user: string;
  /** The commenter may maintain the repository (maintain or admin). */
  maintainer: boolean;
  deliveryId: string;
}

export async function runPullRequestCommand(context: Pick<Context, "octokit">, options: CommandOptions, request: CommandRequest): Promise<CommandAnswer> {
  const { command, target } = request;
  switch (command.kind) {
    case "rerun":
      return runRerunCommand(options, target, command.stage, command.properties, request.user);
    case "cancel":
      return cancelHeadBuild(options, target, request.user);
    case "approve":
      return approveHead(context, options, request);
    case "promote":
      return runPromoteCommand(options, request.maintainer, target, command.tag);
  }
}

async function cancelHeadBuild(options: CommandOptions, target: CommandTarget, user: string): Promise<CommandAnswer> {
  const found = await findBuild(options, target);
  if ("reply" in found) return found;
  const statuses = await getLatestStageRuns(options.queues, await getStageRuns(options.queues, found.build));
  if (!statuses.some((status) => status.state === "running")) return { reply: `the build of ${short(target.sha)} has ended: nothing to cancel.` };
  const reason = `cancelled by @${user}`;
  await cancelReportedBuilds(options.queues, options.reporter, [found.build], reason);
  return { reaction: "+1" };
}

async function approveHead(context: Pick<Context, "octokit">, options: CommandOptions, request: CommandRequest): Promise<CommandAnswer> {
  const { target, user } = request;
  if (!target.fromFork) return { reply: "this pull request is not from a fork: Eve builds its pushes, there is nothing to approve." };
  if (options.forkBuilds === "off") return { reply: "this Eve does not build pull requests from forks (EVE_FORK_BUILDS=off)." };
  if ((await getLatestBuild(options.queues, target.repository.id, target.sha)) !== undefined) {
    return { reply: `${short(target.sha)} is built already; \`/eve rerun\` runs its failed stages again.` };
  }
  await approveForkHead(options.queues, target.repository.id, target.number, target.sha, user);
  const start = await startPullRequestBuild(context, options, target, request.deliveryId, user);
  if (!start.started) return { reply: `approved ${short(target.sha)}, but there is nothing to build: ${start.reason}.` };
  return {
    reaction: "rocket",
    reply: `approved ${short(target.sha)}: building \`${start.stage}\` without secrets. A new push to the fork needs a new \`/eve approve\`.`,
  };
}
