/**
 * Runs one stage job: the BullMQ processor. It reads the build's file, fetches
 * the repository when the stage needs it (minting the installation token only
 * then), runs the engine with the reporter's observer and a launcher that
 * queues triggered stages, and returns the outcome as the job's result.
 */
import type { Job } from "bullmq";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { BuildFile, WorkerType } from "../buildfile/types.js";
import type { ArtifactsNaming } from "../engine/artifacts-properties.js";
import { ProductVersionError } from "../engine/read-product-version.js";
import { recordArtifactsResult } from "../engine/record-artifacts-result.js";
import { runStage } from "../engine/run-stage.js";
import type { TriggerLimits } from "../engine/trigger-limits.js";
import type { EngineSettings, PropertyValues, SecretSource, StageObserver, StageOutcome } from "../engine/types.js";
import type { Provisioner } from "../provisioners/types.js";
import { DEFAULT_TRUSTED_ONLY_WORKERS } from "../provisioners/worker-types.js";
import type { DockerStepsAccess } from "../provisioners/docker/docker-steps-access.js";
import type { CoverageEndpoint } from "../engine/step-services.js";
import { getBootstrapChannel } from "./redis-bootstrap-channel.js";
import { loadBuildFile } from "./build-file-store.js";
import { BuildCancelledError, type CancelListener } from "./cancel-listener.js";
import { getBootstrapProperties, needsProductVersionCheckout } from "./bootstrap-properties.js";
import { getArtifactsAccess, type StageArtifacts } from "./stage-artifacts.js";
import { checkoutRepository, needsCheckout } from "./checkout-repository.js";
import type { StageJobData, StageJobResult } from "./job-data.js";
import { getUntrustedRefusal, getUntrustedSettings, UNTRUSTED_SECRETS } from "./untrusted-policy.js";
import { createQueueLauncher, type SlotControl } from "./queue-launcher.js";
import type { StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";

export interface StageProcessorOptions {
  queues: StageQueues;
  reporter: RunReporter;
  cancels: CancelListener;
  provisioners: ReadonlyMap<WorkerType, Provisioner>;
  settings: EngineSettings;
  secrets: SecretSource;
  instance: string;
  /** Where checkouts go (one directory per stage run, removed after it). */
  workspaceDir: string;
  /** Web root for clone URLs, e.g. https://github.com. */
  githubServerUrl: string;
  /** An installation token, minted when a stage needs the repository. */
  getInstallationToken(installationId: number): Promise<string>;
  slots(type: WorkerType): SlotControl;
  /** Where artifact pages are and how containers are named. */
  artifactsNaming: ArtifactsNaming;
  /** The artifact store and its limits; without it Upload and GetArtifactsFromStage fail saying so. */
  artifacts?: StageArtifacts;
  /** The Docker* steps' engine (EVE_DOCKER_STEPS); never given to untrusted builds. */
  dockerSteps?: DockerStepsAccess;
  /** PublishCoverageReport's endpoint (EVE_CODECOV_URL). */
  coverage?: CoverageEndpoint;
  /** Where problems that do not fail the stage are told (recording a result on the artifacts). */
  onError?: (error: unknown, what: string) => void;
  /** Bounds on the stages a build triggers; default DEFAULT_TRIGGER_LIMITS. */
  triggerLimits?: TriggerLimits;
  /** Worker types refused to untrusted builds (pull requests from forks); default: the registry's DEFAULT_TRUSTED_ONLY_WORKERS. */
  trustedOnlyWorkers?: readonly WorkerType[];
  /** The log page of a stage run, the stage's `buildurl`. */
  logUrl?: (run: string) => string;
}

/**
 * BullMQ's processor. `signal` (BullMQ's, when the worker cancels the job: the
 * process shuts down past its grace, or the job's lock was lost to another
 * worker) aborts the stage as a cancellation would.
 */
export type StageProcessor = (job: Job<StageJobData, StageJobResult>, token?: string, signal?: AbortSignal) => Promise<StageJobResult>;

/** Build files of recent builds: every stage of a build runs the same file, read from Redis once per process (and parsed once per content: validated-build-files.ts). */
const PARSED_BUILDS_KEPT = 32;

export function createStageProcessor(options: StageProcessorOptions): StageProcessor {
  const parsed = new Map<string, BuildFile | string>();
  const readCached = async (data: StageJobData): Promise<BuildFile | string> => {
    let buildFile = parsed.get(data.stage.build);
    if (buildFile === undefined) {
      buildFile = await readBuildFile(options, data);
      parsed.set(data.stage.build, buildFile);
      // Maps iterate in insertion order: drop the oldest.
      for (const key of parsed.keys()) if (parsed.size > PARSED_BUILDS_KEPT) parsed.delete(key);
    }
    return buildFile;
  };
  return async (job, _token, signal) => {
    const data = job.data;
    const controller = new AbortController();
    if (signal) linkAbort(signal, controller);
    const unwatch = options.cancels.watch(data.stage.build, controller);
    const repoDir = join(options.workspaceDir, "checkouts", data.stage.run);
    // Most stages fetch nothing: then there is no directory to remove.
    let fetching = false;
    try {
      // Both at once: the stage's start waits for one round trip to Redis, not two.
      const [cancelled, buildFile] = await Promise.all([options.cancels.getCancelReason(data.stage.build), readCached(data)]);
      if (cancelled !== undefined) return { outcome: await endBeforeStart(options, data, "cancelled", cancelled) };
      if (typeof buildFile === "string") return { outcome: await endBeforeStart(options, data, "exception", buildFile) };
      const stageDef = buildFile.stages.get(data.stage.stage);
      const refusal = data.untrusted ? getUntrustedRefusal(data.workerType, options.trustedOnlyWorkers ?? DEFAULT_TRUSTED_ONLY_WORKERS) : undefined;
      if (refusal !== undefined) return { outcome: await endBeforeStart(options, data, "failure", refusal) };
      let checkout: string | undefined;
      if ((stageDef && needsCheckout(stageDef)) || needsProductVersionCheckout(data)) {
        const token = await options.getInstallationToken(data.installationId);
        const url = `${options.githubServerUrl}/${data.repository.owner}/${data.repository.name}.git`;
        fetching = true;
        try {
          const ref = data.pullRequest === undefined ? {} : { ref: `refs/pull/${data.pullRequest}/head` };
          await checkoutRepository({ url, sha: data.sha, token, dir: repoDir, signal: controller.signal, ...ref });
          checkout = repoDir;
        } catch (error) {
          const reason = controller.signal.aborted ? abortReason(controller.signal) : describe(error);
          return { outcome: await endBeforeStart(options, data, controller.signal.aborted ? "cancelled" : "exception", reason) };
        }
      }
      let properties: PropertyValues;
      try {
        properties = await getBootstrapProperties(data, { naming: options.artifactsNaming, checkout, signal: controller.signal });
      } catch (error) {
        if (!(error instanceof ProductVersionError)) throw error;
        return { outcome: await endBeforeStart(options, data, controller.signal.aborted ? "cancelled" : "failure", error.message) };
      }
      const artifacts = options.artifacts ? await getArtifactsAccess(options.artifacts, options.artifactsNaming, data.untrusted === true) : undefined;
      const observation = await options.reporter.start(data);
      const bootstrap = getBootstrapChannel(options.queues, data.stage.build, buildFile);
      const outcome = await runStage({
        buildFile,
        stage: data.stage,
        properties: withCheckout(properties, checkout),
        secrets: data.untrusted ? UNTRUSTED_SECRETS : options.secrets,
        provisioners: options.provisioners,
        forcedProperties: data.forcedProperties,
        ...(bootstrap ? { bootstrap } : {}),
        isTopStage: data.parent === undefined,
        launcher: createQueueLauncher({ queues: options.queues, reporter: options.reporter, parent: data, buildFile, slots: options.slots(data.workerType), ...(options.triggerLimits ? { limits: options.triggerLimits } : {}) }),
        observer: withCancelReason(observation.observer, controller.signal),
        settings: data.untrusted ? getUntrustedSettings(options.settings) : options.settings,
        instance: options.instance,
        repoDir: checkout,
        signal: controller.signal,
        services: {
          ...(artifacts ? { artifacts } : {}),
          // Forks never reach the operator's engine and registry credentials.
          ...(options.dockerSteps && !data.untrusted ? { docker: options.dockerSteps } : {}),
          ...(options.coverage ? { coverage: options.coverage } : {}),
        },
        ...(options.logUrl ? { buildUrl: options.logUrl } : {}),
      });
      if (data.parent === undefined && artifacts) {
        await recordArtifactsResult(artifacts.store, outcome.properties, data.stage.build, outcome.result).catch((error: unknown) => options.onError?.(error, "Recording the build result on its artifacts failed"));
      }
      // The slot is free once the stage is done; its last reports drain in the
      // background (the process flushes them before it exits).
      void observation.done().catch(() => undefined);
      return { outcome };
    } finally {
      unwatch();
      if (fetching) await rm(repoDir, { recursive: true, force: true });
      // With the process's next batch of writes: the slot does not wait for it.
      options.queues.releaseFairPriority(data.workerType, data.installationId).catch((error: unknown) => options.onError?.(error, "Releasing the stage's fairness count failed"));
    }
  };
}

async function readBuildFile(options: StageProcessorOptions, data: StageJobData): Promise<BuildFile | string> {
  const buildFile = await loadBuildFile(options.queues, data.stage.build, data.buildFilePath);
  if (buildFile === "expired") return `the build file of build ${data.stage.build} has expired`;
  return buildFile === "invalid" ? `${data.buildFilePath} is not valid` : buildFile;
}

/** Ends a run that does not start: its check run shows why. */
async function endBeforeStart(options: StageProcessorOptions, data: StageJobData, result: "cancelled" | "exception" | "failure", reason: string): Promise<StageOutcome> {
  const outcome: StageOutcome = { name: data.stage.stage, result, durationMs: 0, steps: [], summary: `${result}: ${reason}`, properties: data.properties };
  await options.reporter.finishUnstarted(data, outcome);
  return outcome;
}

function linkAbort(signal: AbortSignal, controller: AbortController): void {
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof BuildCancelledError ? reason.message : "cancelled";
}

/** A cancelled stage's check-run title says why (e.g. "cancelled: superseded by 1a2b3c4 on main"). */
function withCancelReason(observer: StageObserver, signal: AbortSignal): StageObserver {
  return {
    stageStarted: (stage) => observer.stageStarted(stage),
    stepStarted: (stage, index, name) => observer.stepStarted(stage, index, name),
    output: (stage, text) => observer.output(stage, text),
    info: (stage, line) => observer.info(stage, line),
    stepFinished: (stage, index, outcome) => observer.stepFinished(stage, index, outcome),
    stageFinished(stage, outcome) {
      const cancelled = outcome.result === "cancelled" && signal.reason instanceof BuildCancelledError;
      observer.stageFinished(stage, cancelled ? { ...outcome, summary: `cancelled: ${abortReason(signal)}` } : outcome);
    },
  };
}

/** Git steps clone `git_reference`: point it at this host's checkout, which needs no credentials. */
function withCheckout(properties: PropertyValues, checkout: string | undefined): PropertyValues {
  return checkout === undefined ? properties : { ...properties, git_reference: checkout };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
