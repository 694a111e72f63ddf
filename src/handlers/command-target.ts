/** The shapes shared by the pull-request commands and their handlers. */
import type { ForkBuildPolicy } from "../config/eve-config.js";
import type { RepositoryRef } from "../queue/job-data.js";
import type { PushHandlerOptions } from "./on-push.js";

export interface CommandOptions extends PushHandlerOptions {
  forkBuilds: ForkBuildPolicy;
}

/** The pull request a command is about. */
export interface CommandTarget {
  installationId: number;
  /** The base repository. */
  repository: RepositoryRef;
  number: number;
  /** Its head commit. */
  sha: string;
  /** Its head branch (in the fork, for a fork). */
  branch: string;
  fromFork: boolean;
}

export interface CommandAnswer {
  reaction?: "+1" | "rocket";
  reply?: string;
}
