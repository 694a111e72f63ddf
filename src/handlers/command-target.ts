/** The shapes shared by the pull-request commands and their handlers. */
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import type { ForkBuildPolicy } from "../config/eve-config.js";
import type { ArtifactsNaming } from "../engine/artifacts-properties.js";
import type { RepositoryRef } from "../queue/job-data.js";
import type { PushHandlerOptions } from "./on-push.js";

export interface CommandOptions extends PushHandlerOptions {
  forkBuilds: ForkBuildPolicy;
  /** The artifact store, for `/eve promote`; absent: promotion is not available. */
  artifacts?: CommandArtifacts;
}

export interface CommandArtifacts {
  store(): Promise<ArtifactStore>;
  naming: ArtifactsNaming;
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
