import type { ArtifactsNaming } from "../engine/artifacts-properties.js";
import type { ArtifactStoreSettings } from "../artifacts/artifact-store-settings.js";
import type { SignInSettings } from "../access/github-sign-in.js";
import type { WorkerType } from "../buildfile/types.js";
import type { TriggerLimits } from "../engine/trigger-limits.js";
import type { VaultSettings } from "../secrets/read-vault-secrets.js";
import type { WorkerSettings } from "./load-worker-settings.js";

import type { DockerStepsAccess } from "../provisioners/docker/docker-steps-access.js";
import type { CoverageEndpoint } from "../engine/step-services.js";

/** Eve's settings, read once from the environment at start-up (see settings.ts for the table). */
export interface EveConfig {
  appId: number;
  /** PEM of the App's private key. */
  privateKey: string;
  webhookSecret: string;
  /** GitHub sign-in for private repositories' pages; undefined when not configured (those pages answer 403). */
  signIn: SignInSettings | undefined;
  /** Key of the build tokens in links workers use (EVE_SESSION_SECRET, or derived from the App's key). */
  buildTokenSecret: string;
  webhookPath: string;
  port: number;
  host: string;
  logLevel: LogLevel;
  /** REST API root: https://api.github.com, or `${GHE_PROTOCOL}://${GHE_HOST}/api/v3`. */
  githubApiUrl: string;
  /** Web root for git: https://github.com, or `${GHE_PROTOCOL}://${GHE_HOST}`. */
  githubServerUrl: string;
  redisUrl: string;
  buildFilePath: string;
  /** Base URL of this app as users reach it, without trailing slash. */
  publicUrl: string;
  /** Where artifact pages are (EVE_ARTIFACTS_PUBLIC_URL, _PRIVATE_URL) and how containers are named (EVE_ARTIFACTS_PREFIX). */
  artifactsNaming: ArtifactsNaming;
  instance: string;
  /** Worker types this process takes stages for. */
  workerTypes: WorkerType[];
  /** Stages of each type one worker process runs at once. */
  capacity: Record<WorkerType, number>;
  commitStatus: boolean;
  /** Whether pull requests from forks are built: never, once approved per head commit, or always. */
  forkBuilds: ForkBuildPolicy;
  /** Worker types that builds of pull requests from forks may not use. */
  trustedOnlyWorkers: WorkerType[];
  allowMasterShellCommand: boolean;
  /** The Docker* steps' engine and credentials; undefined unless EVE_DOCKER_STEPS is on. */
  dockerSteps: DockerStepsAccess | undefined;
  /** PublishCoverageReport's endpoint (EVE_CODECOV_URL); undefined when unset. */
  coverage: CoverageEndpoint | undefined;
  logRetentionDays: number;
  /** Days a build's history stays in Redis (EVE_BUILD_HISTORY_DAYS; default the log retention). */
  buildHistoryDays: number;
  /** Token of the operator page /status (EVE_STATUS_TOKEN); undefined: the page answers 403. */
  statusToken: string | undefined;
  /** Bytes of one stage's log kept whole (EVE_LOG_MAX_BYTES; Infinity: no limit). */
  logMaxBytes: number;
  workspaceDir: string;
  maxStepDurationSec: number;
  /** Stages one build may trigger, and how deep (EVE_MAX_STAGES_PER_BUILD, EVE_MAX_TRIGGER_DEPTH). */
  triggerLimits: TriggerLimits;
  defaultStepTimeoutSec: number;
  killGraceSec: number;
  /** Pause between two GitHub writes of one installation. */
  githubWriteIntervalMs: number;
  /** Seconds a stopping process lets running stages finish before cancelling them. */
  shutdownGraceSec: number;
  /** Seconds without a lock renewal after which a stage's worker process counts as lost. */
  workerLostAfterSec: number;
  /** Seconds between orphan sweeps; 0 sweeps only at start-up. */
  reapIntervalSec: number;
  /** Port of `eve worker`'s health and metrics server; undefined: none. */
  workerMetricsPort: number | undefined;
  /** Secret values by name (from EVE_SECRETS_FILE, then EVE_SECRET_<NAME> variables, which win). */
  secrets: Record<string, string>;
  /** Vault KV v2 source (VAULT_ADDR, VAULT_TOKEN, EVE_VAULT_MOUNT, EVE_VAULT_PATH); undefined when not set. */
  vault: VaultSettings | undefined;
  /** Every worker type's own settings (DOCKER_*, EVE_DOCKER_*, EVE_KUBE_*, …); a type's problems are errors when EVE_WORKER_TYPES has it. */
  workerSettings: WorkerSettings;
  /** Where artifacts are stored, how long, and the upload limits (EVE_ARTIFACTS_STORE, _DIR, _S3_*, _RETENTION_DAYS, _MAX_*). */
  artifactStore: ArtifactStoreSettings;
}

export const FORK_BUILD_POLICIES = ["off", "approve", "on"] as const;
export type ForkBuildPolicy = (typeof FORK_BUILD_POLICIES)[number];

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
