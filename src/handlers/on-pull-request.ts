/**
 * pull_request → builds of pull requests from forks, by the operator's
 * policy (EVE_FORK_BUILDS): off, on, or — by default — once a maintainer has
 * approved the head commit with `/eve approve` (Eve asks for it once per
 * head commit). Pull requests from branches of the same repository are
 * built by their pushes: Eve ignores them here, so nothing is built twice.
 */
import type { Context } from "probot";
import { claimApprovalRequest, getForkApproval } from "../queue/fork-approvals.js";
import { lacksFields, type PayloadFields } from "./check-payload.js";
import { handleOnce } from "./claim-delivery.js";
import type { CommandOptions } from "./command-target.js";
import { startPullRequestBuild, type PullRequestHead } from "./start-pull-request-build.js";

export type PullRequestHandlerOptions = CommandOptions;

/** The events that bring a new head commit (app.ts subscribes to these only). */
export const PULL_REQUEST_EVENTS = ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"] as const;

/** What the handler reads (a deleted fork has no head repository). */
const FIELDS: PayloadFields = {
  "pull_request.number": "number",
  "pull_request.head.sha": "string",
  "pull_request.head.ref": "string",
  "pull_request.head.repo.id": "number?",
  "pull_request.base.repo.id": "number",
  "repository.id": "number",
  "repository.name": "string",
  "repository.owner.login": "string",
  "repository.private": "boolean?",
  "installation.id": "number?",
};

export function createPullRequestHandler(options: PullRequestHandlerOptions): (context: Context<(typeof PULL_REQUEST_EVENTS)[number]>) => Promise<void> {
  return async (context) => {
    if (lacksFields(context, FIELDS)) return;
    const { payload } = context;
    const pr = payload.pull_request;
    const installationId = payload.installation?.id;
    // A deleted fork has no head repository: still a fork.
    const fromFork = pr.head.repo?.id !== pr.base.repo.id;
    if (!fromFork || options.forkBuilds === "off" || installationId === undefined) return;
    const head: PullRequestHead = {
      installationId,
      repository: { owner: payload.repository.owner.login, name: payload.repository.name, id: payload.repository.id, private: payload.repository.private !== false },
      number: pr.number,
      sha: pr.head.sha,
      branch: pr.head.ref,
    };
    await handleOnce(options.queues, context.id, async () => {
      const approver = options.forkBuilds === "on" ? "EVE_FORK_BUILDS=on" : await getForkApproval(options.queues, head.repository.id, head.number, head.sha);
      if (approver !== undefined) {
        const start = await startPullRequestBuild(context, options, head, context.id);
        context.log.info(`Pull request #${head.number} from a fork (${approver}): ${start.started ? `build ${start.build} queued` : start.reason}`);
        return;
      }
      if (!(await claimApprovalRequest(options.queues, head.repository.id, head.number, head.sha))) return;
      const { owner, name: repo } = head.repository;
      await context.octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: head.number,
        body:
          `This pull request comes from a fork: Eve runs nothing for it until someone with write access comments \`/eve approve\` ` +
          `(builds of forks get no secrets). An approval covers ${head.sha.slice(0, 7)} only: each new push needs a new approval.`,
      });
    });
  };
}
