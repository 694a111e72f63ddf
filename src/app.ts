/** The Probot app: webhook wiring only; the handlers hold the logic. */
import type { ApplicationFunction } from "probot";
import type { ForkBuildPolicy } from "./config/eve-config.js";
import type { CommandArtifacts } from "./handlers/command-target.js";
import { CHECK_RUN_EVENTS, createCheckRunHandler } from "./handlers/on-check-run.js";
import { createCheckSuiteHandler } from "./handlers/on-check-suite.js";
import { createCommitCommentHandler } from "./handlers/on-commit-comment.js";
import { createIssueCommentHandler } from "./handlers/on-issue-comment.js";
import { createPullRequestHandler, PULL_REQUEST_EVENTS } from "./handlers/on-pull-request.js";
import { createPushHandler, type PushHandlerOptions } from "./handlers/on-push.js";

export interface AppOptions extends PushHandlerOptions {
  /** EVE_FORK_BUILDS; default approve. */
  forkBuilds?: ForkBuildPolicy;
  /** The artifact store, for `/eve promote`. */
  artifacts?: CommandArtifacts;
}

export function createApp(options: AppOptions): ApplicationFunction {
  const commandOptions = { ...options, forkBuilds: options.forkBuilds ?? "approve" };
  return (app) => {
    app.on("push", createPushHandler(options));
    app.on([...PULL_REQUEST_EVENTS], createPullRequestHandler(commandOptions));
    app.on("issue_comment.created", createIssueCommentHandler(commandOptions));
    app.on("commit_comment.created", createCommitCommentHandler(commandOptions));
    app.on([...CHECK_RUN_EVENTS], createCheckRunHandler(options));
    app.on("check_suite.rerequested", createCheckSuiteHandler(options));
  };
}
