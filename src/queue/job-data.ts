/**
 * What a stage job carries through Redis: ids and properties only. Never a
 * token: the worker mints its installation token when it needs one.
 */
import { createHash } from "node:crypto";
import type { WorkerType } from "../buildfile/types.js";
import type { PropertyValues, StageIdentity, StageOutcome } from "../engine/types.js";

export interface RepositoryRef {
  owner: string;
  name: string;
  id: number;
  /** From the webhook, at build time: who may see the build's pages. Absent (older jobs): private. */
  private?: boolean;
}

/** One stage run to execute: the top stage of a build, or a stage another one triggered. */
export interface StageJobData {
  installationId: number;
  repository: RepositoryRef;
  sha: string;
  branch: string;
  /** Path of the build file in the repository, as configured when the build started. */
  buildFilePath: string;
  stage: StageIdentity;
  workerType: WorkerType;
  /** The stage that triggered this one; undefined for the top stage. */
  parent: StageIdentity | undefined;
  /** Levels of TriggerStages above this run: absent (0) for the top stage, 1 for its children. */
  depth?: number;
  /** Properties the stage starts with (the parent's copy for triggered stages). */
  properties: PropertyValues;
  /** Names of properties the user forced; EveProperty steps keep them. */
  forcedProperties: string[];
  /** The run's check run, created `queued` by the process that enqueued it. */
  checkRunId: number | undefined;
  /** Milliseconds since the epoch when the build was created (webhook receipt). */
  createdAt: number;
  /**
   * Set for builds of pull requests from forks: no secrets, no trusted-only
   * worker types, no MasterShellCommand. Triggered stages inherit it.
   */
  untrusted?: true;
  /**
   * The build file's directory has `get_product_version.sh` at this commit: the
   * top stage fetches the repository and runs it for `product_version`.
   */
  productVersionScript?: true;
  /** The pull request built from `refs/pull/<n>/head` of the base repository (forks). */
  pullRequest?: number;
  /** What started this run, for the build pages; absent in older jobs. Triggered stages inherit their parent's. */
  trigger?: RunTrigger;
}

/** What started a run: a push (or pull request), a re-run by a user, or a maintainer's `/eve approve`. */
export type RunTrigger = { kind: "push" } | { kind: "pull_request" } | { kind: "rerun"; by: string } | { kind: "approval"; by: string };

/** The result a finished stage job returns (BullMQ stores it as the job's return value). */
export interface StageJobResult {
  outcome: StageOutcome;
}

/** A build id from the webhook delivery id: a redelivery maps to the same build. */
export function getBuildId(deliveryId: string): string {
  return `b${digest(deliveryId).slice(0, 15)}`;
}

/**
 * The stage run id, also the BullMQ job id: deterministic, so re-adding the same
 * run (a redelivered webhook, a parent job retried after a crash) adds nothing.
 * Safe as a resource name ([a-z0-9]) and free of ':' (BullMQ rejects it in ids).
 */
export function getRunId(build: string, stage: string, attempt: number, parentRun: string | undefined): string {
  return `r${digest(JSON.stringify([build, parentRun ?? null, stage, attempt])).slice(0, 19)}`;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
