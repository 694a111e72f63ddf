/**
 * issue_comment → Eve commands on pull requests. Only new comments on pull
 * requests, by people (not bots: Eve's own replies quote commands), whose
 * permission GitHub confirms is write, maintain or admin. An accepted command
 * gets a reaction; a refused one a short reply that says why.
 */
import type { Context } from "probot";
import type { CommandAnswer, CommandOptions, CommandTarget } from "./command-target.js";
import { lacksFields, type PayloadFields } from "./check-payload.js";
import { handleOnce } from "./claim-delivery.js";
import { getPermission } from "./get-permission.js";
import { HELP_TEXT } from "./help-text.js";
import { parseCommand, type ParsedComment } from "./parse-command.js";
import { runPullRequestCommand } from "./pull-request-commands.js";

export type IssueCommentHandlerOptions = CommandOptions;

/** What the handler reads. */
const FIELDS: PayloadFields = {
  action: "string",
  "issue.number": "number",
  "issue.pull_request": "object?",
  "comment.id": "number",
  "comment.body": "string",
  "comment.user.type": "string?",
  "comment.user.login": "string?",
  "repository.id": "number",
  "repository.name": "string",
  "repository.owner.login": "string",
  "repository.private": "boolean?",
  "installation.id": "number?",
};

export function createIssueCommentHandler(options: IssueCommentHandlerOptions): (context: Context<"issue_comment">) => Promise<void> {
  return async (context) => {
    if (lacksFields(context, FIELDS)) return;
    const { payload } = context;
    if (payload.action !== "created" || !payload.issue.pull_request || payload.comment.user?.type === "Bot") return;
    const installationId = payload.installation?.id;
    if (installationId === undefined) return;
    const parsed = parseCommand(payload.comment.body);
    if (parsed.type === "none") return;
    const handled = await handleOnce(options.queues, context.id, () => answer(context, options, parsed, installationId));
    if (!handled) context.log.info(`Delivery ${context.id} already handled`);
  };
}

async function answer(context: Context<"issue_comment">, options: CommandOptions, parsed: Exclude<ParsedComment, { type: "none" }>, installationId: number): Promise<void> {
  const { payload } = context;
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  const user = payload.comment.user?.login ?? "";
  const respond = async (response: CommandAnswer): Promise<void> => {
    if (response.reaction) await context.octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: payload.comment.id, content: response.reaction });
    if (response.reply) await context.octokit.rest.issues.createComment({ owner, repo, issue_number: payload.issue.number, body: `@${user} ${response.reply}` });
  };

  const permission = await getPermission(context, owner, repo, user);
  if (!permission.allowed) {
    context.log.info(`Refused an Eve command from ${user} (${permission.role}) on ${owner}/${repo}#${payload.issue.number}`);
    return respond({ reply: `only people with write, maintain or admin permission on ${owner}/${repo} can run Eve commands (you have ${permission.role}).` });
  }
  if (parsed.type === "invalid") return respond({ reply: `${parsed.reason}.\n\n${HELP_TEXT}` });
  const { command } = parsed;
  if (command.kind === "help") return respond({ reaction: "+1", reply: `\n\n${HELP_TEXT}` });

  const { data: pr } = await context.octokit.rest.pulls.get({ owner, repo, pull_number: payload.issue.number });
  const target: CommandTarget = {
    installationId,
    repository: { owner, name: repo, id: payload.repository.id, private: payload.repository.private !== false },
    number: pr.number,
    sha: pr.head.sha,
    branch: pr.head.ref,
    fromFork: pr.head.repo?.id !== pr.base.repo.id,
  };
  const response = await runPullRequestCommand(context, options, { command, target, user, maintainer: permission.maintainer, deliveryId: context.id });
  context.log.info(`/eve ${command.kind} from ${user} on ${owner}/${repo}#${pr.number}: ${response.reaction ? "accepted" : "refused"}`);
  await respond(response);
}
