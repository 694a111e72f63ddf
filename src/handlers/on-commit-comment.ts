/**
 * commit_comment → `/eve promote <tag>` on a commit: the artifacts of the
 * commit's last successful build are promoted (maintainers only). Eve answers
 * with a commit status `eve/promote` (its description says what happened, its
 * link goes to the promoted artifacts): answering in a commit comment or
 * reacting to one would need write access to the repository's contents,
 * which Eve does not ask for. Other commands are pull-request commands.
 */
import type { Context } from "probot";
import { lacksFields, type PayloadFields } from "./check-payload.js";
import { handleOnce } from "./claim-delivery.js";
import type { CommandOptions } from "./command-target.js";
import { getPermission } from "./get-permission.js";
import { parseCommand } from "./parse-command.js";
import { runPromoteCommand } from "./promote-command.js";

/** What the handler reads. */
const FIELDS: PayloadFields = {
  action: "string",
  "comment.body": "string",
  "comment.commit_id": "string",
  "comment.user.type": "string?",
  "comment.user.login": "string?",
  "repository.id": "number",
  "repository.name": "string",
  "repository.owner.login": "string",
  "installation.id": "number?",
};

/** GitHub's limit on a status description. */
const MAX_DESCRIPTION = 140;

export function createCommitCommentHandler(options: CommandOptions): (context: Context<"commit_comment">) => Promise<void> {
  return async (context) => {
    if (lacksFields(context, FIELDS)) return;
    const { payload } = context;
    if (payload.action !== "created" || payload.comment.user?.type === "Bot" || payload.installation?.id === undefined) return;
    const parsed = parseCommand(payload.comment.body);
    if (parsed.type !== "command" || parsed.command.kind !== "promote") return;
    const { tag } = parsed.command;
    const handled = await handleOnce(options.queues, context.id, async () => {
      const owner = payload.repository.owner.login;
      const repo = payload.repository.name;
      const sha = payload.comment.commit_id;
      const user = payload.comment.user?.login ?? "";
      const permission = await getPermission(context, owner, repo, user);
      const answer = await runPromoteCommand(options, permission.maintainer, { repository: { owner, name: repo, id: payload.repository.id }, sha }, tag);
      const promoted = answer.url !== undefined;
      const description = promoted ? `promoted to ${tag}, kept forever` : `${tag} not promoted: ${answer.reply ?? ""}`;
      await context.octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha,
        state: promoted ? "success" : "failure",
        context: "eve/promote",
        description: description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description,
        ...(answer.url ? { target_url: answer.url } : {}),
      });
      context.log.info(`/eve promote ${tag} from ${user} on ${owner}/${repo}@${sha.slice(0, 7)}: ${promoted ? "promoted" : "refused"}`);
    });
    if (!handled) context.log.info(`Delivery ${context.id} already handled`);
  };
}
