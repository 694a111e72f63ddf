/**
 * Runs stages of a hand-built BuildFile through the real engine on local
 * workers, recording what the observer sees. For engine tests.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BuildFile, StageDef, WorkerSpec, WorkerType } from "../../src/buildfile/types.js";
import type { Provisioner } from "../../src/provisioners/types.js";
import { MemoryBootstrapChannel } from "../../src/engine/memory-bootstrap-channel.js";
import { InProcessLauncher } from "../../src/engine/in-process-launcher.js";
import { runStage } from "../../src/engine/run-stage.js";
import type { TriggerLimits } from "../../src/engine/trigger-limits.js";
import type { EngineSettings, PropertyValues, SecretSource, StageIdentity, StageObserver, StageOutcome, StepOutcome } from "../../src/engine/types.js";
import { loadWorkerSettings } from "../../src/config/load-worker-settings.js";
import type { StepServices } from "../../src/engine/step-services.js";
import { closeProvisioners, createProvisionerRegistry } from "../../src/provisioners/registry.js";

type StepSpec = [type: string, params: Record<string, unknown>];

export function buildFileOf(stages: Record<string, StepSpec[] | { worker: WorkerSpec; steps: StepSpec[] }>): BuildFile {
  const map = new Map<string, StageDef>();
  for (const [name, spec] of Object.entries(stages)) {
    const { worker, steps } = Array.isArray(spec) ? { worker: { type: "local" } as WorkerSpec, steps: spec } : spec;
    map.set(name, { name, worker, steps: steps.map(([type, params], i) => ({ type, params, path: `/stages/${name}/steps/${i}` })) });
  }
  return { version: "0.2", branches: [{ pattern: "default", stage: [...map.keys()][0] ?? "" }], stages: map };
}

export class RecordingObserver implements StageObserver {
  readonly events: string[] = [];
  readonly logs = new Map<string, string>();
  readonly finished: StageOutcome[] = [];

  private append(stage: StageIdentity, text: string): void {
    this.logs.set(stage.stage, (this.logs.get(stage.stage) ?? "") + text);
  }
  stageStarted(stage: StageIdentity): void {
    this.events.push(`start ${stage.stage}`);
  }
  stepStarted(stage: StageIdentity, _index: number, name: string): void {
    this.events.push(`step ${stage.stage}/${name}`);
  }
  output(stage: StageIdentity, text: string): void {
    this.append(stage, text);
  }
  info(stage: StageIdentity, line: string): void {
    this.append(stage, `[info] ${line}\n`);
  }
  stepFinished(stage: StageIdentity, _index: number, outcome: StepOutcome): void {
    this.events.push(`done ${stage.stage}/${outcome.name} ${outcome.result}`);
  }
  stageFinished(stage: StageIdentity, outcome: StageOutcome): void {
    this.events.push(`end ${stage.stage} ${outcome.result}`);
    this.finished.push(outcome);
  }
  log(stage: string): string {
    return this.logs.get(stage) ?? "";
  }
}

export const TEST_SETTINGS: EngineSettings = { maxStepDurationSec: 14400, defaultTimeoutSec: 1200, killGraceSec: 1, allowMasterShellCommand: false };

export function secretsOf(values: Record<string, string>): SecretSource {
  return { get: (name) => values[name], values: () => Object.values(values) };
}

export interface RunOptions {
  properties?: PropertyValues;
  secrets?: Record<string, string>;
  settings?: Partial<EngineSettings>;
  signal?: AbortSignal;
  forced?: string[];
  triggerLimits?: TriggerLimits;
  services?: StepServices;
  /** The build id (default b1). */
  build?: string;
  buildUrl?: (run: string) => string;
  /** Provisioners other than the default local and docker ones (kube_pod against the stand-in). */
  provisioners?: ReadonlyMap<WorkerType, Provisioner>;
  /** The checkout on the Eve host (pod templates). */
  repoDir?: string;
}

/** A workspace base directory for one test file; `cleanup` checks nothing was left behind. */
export function createWorkspaceBase(): { baseDir: string; leftovers: () => string[]; cleanup: () => void } {
  const baseDir = mkdtempSync(join(tmpdir(), "eve-engine-test-"));
  return { baseDir, leftovers: () => readdirSync(baseDir), cleanup: () => rmSync(baseDir, { recursive: true, force: true }) };
}

export async function runBuild(
  baseDir: string,
  buildFile: BuildFile,
  top: string,
  options: RunOptions = {},
): Promise<{ outcome: StageOutcome; observer: RecordingObserver }> {
  const observer = new RecordingObserver();
  const common = {
    buildFile,
    secrets: secretsOf(options.secrets ?? {}),
    provisioners: options.provisioners ?? createProvisionerRegistry(loadWorkerSettings({}).settings, { workersDir: baseDir }),
    observer,
    settings: { ...TEST_SETTINGS, ...options.settings },
    instance: "test",
    repoDir: options.repoDir,
    bootstrap: new MemoryBootstrapChannel(),
    ...(options.services ? { services: options.services } : {}),
    ...(options.buildUrl ? { buildUrl: options.buildUrl } : {}),
  };
  const launcher = new InProcessLauncher(common, options.triggerLimits);
  const outcome = await runStage({
    ...common,
    launcher,
    isTopStage: true,
    stage: { build: options.build ?? "b1", stage: top, attempt: 1, run: "r1" },
    properties: options.properties ?? {},
    signal: options.signal ?? new AbortController().signal,
    forcedProperties: options.forced ?? [],
  });
  await launcher.idle();
  // As Eve's processes do when they stop: the spare builder directories go.
  await closeProvisioners(common.provisioners);
  return { outcome, observer };
}
