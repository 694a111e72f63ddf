/**
 * The build of `eve run`, once its command line is read: runs it on this
 * machine with the engine the app uses, in process (no queue), with the
 * terminal reporter instead of check runs.
 */
// Synchronous: eve run does one build, and nothing else waits on its thread while it starts or ends;
// each call saves a thread-pool round trip on the path of every run.
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { formatMessage } from "../buildfile/format-message.js";
import { selectStage } from "../buildfile/plan-build.js";
import type { BuildFile } from "../buildfile/types.js";
import { validateBuildFile } from "../buildfile/validate-build-file.js";
import { createEnvReader } from "../config/env-reader.js";
import { readAvailableNeeds } from "../config/read-available-needs.js";
import { loadCoverageEndpoint } from "../config/load-coverage-endpoint.js";
import { loadDockerSteps } from "../provisioners/docker/load-docker-steps.js";
import { loadTriggerLimits } from "../config/load-trigger-limits.js";
import { loadWorkerSettings, type WorkerSettings } from "../config/load-worker-settings.js";
import { createBuildProperties } from "../engine/build-properties.js";
import { MemoryBootstrapChannel } from "../engine/memory-bootstrap-channel.js";
import { InProcessLauncher } from "../engine/in-process-launcher.js";
import { type GitFacts, queryGit, readRepoFacts, type RepoFacts } from "../engine/read-repo-facts.js";
import { isPassing, type BuildResult } from "../engine/results.js";
import { runStage } from "../engine/run-stage.js";
import type { EngineSettings, StageOutcome } from "../engine/types.js";
import { keepHeapFlat } from "../logs/keep-heap-flat.js";
import { createLabelledDir } from "../provisioners/local/builder-dirs.js";
import { DEFAULT_LOCAL_BASE_DIR } from "../provisioners/local/local-provisioner.js";
import { closeProvisioners, createProvisionerRegistry } from "../provisioners/registry.js";
import { WORKER_RULES } from "../provisioners/worker-types.js";
import { TerminalReporter } from "../reporting/terminal-reporter.js";
import { recordArtifactsResult } from "../engine/record-artifacts-result.js";
import { cancelOnInterrupt } from "./cancel-on-interrupt.js";
import { formatRunArtifacts, openRunArtifacts, withRunArtifactsProperties } from "./run-artifacts.js";
import type { RunArgs } from "./parse-run-args.js";
import { readSecretsFile } from "./read-secrets-file.js";
import { RUN_INSTANCE } from "./run-instance.js";
import { UsageError } from "./usage-error.js";

const SETTINGS: EngineSettings = {
  maxStepDurationSec: 14400,
  defaultTimeoutSec: 1200,
  killGraceSec: 5,
  // The local worker already runs on this machine: the Eve host is the user's own.
  allowMasterShellCommand: true,
};

/** `git`: queryGit of the run's directory, if the caller started it earlier. */
export async function runBuild(parsed: RunArgs, git: Promise<GitFacts> = queryGit(resolve(parsed.dir))): Promise<number> {
  const workers = loadWorkerSettings(process.env);
  const settingErrors = [...workers.errors];
  const env = createEnvReader(process.env, settingErrors);
  const triggerLimits = loadTriggerLimits(env);
  const dockerSteps = loadDockerSteps(env, settingErrors);
  const coverage = loadCoverageEndpoint(env, settingErrors);
  if (settingErrors.length > 0) {
    process.stderr.write(settingErrors.map((error) => `eve run: ${error}\n`).join(""));
    return 2;
  }
  const dir = resolve(parsed.dir);
  const file = isAbsolute(parsed.file) ? parsed.file : join(dir, parsed.file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the build file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { buildFile, messages } = validateBuildFile(text, parsed.file, { workerRules: WORKER_RULES, available: readAvailableNeeds(env) });
  if (messages.length > 0) process.stderr.write(`${messages.map(formatMessage).join("\n")}\n`);
  if (!buildFile) return 2;
  sayWhyTypesCannotRun(workers.settings, buildFile);
  const secrets = await readSecretsFile(parsed.secretsFile);
  let facts: RepoFacts;
  try {
    facts = await readRepoFacts(dir, parsed.file, git);
  } catch (error) {
    process.stderr.write(`eve run: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const stage = chooseStage(parsed, buildFile, facts);
  if ("skip" in stage) {
    process.stdout.write(`eve run: ${stage.skip}: nothing to run (result: skipped)\n`);
    writeReport(parsed.reportFile, "skipped", []);
    return 0;
  }
  if ("fail" in stage) {
    process.stderr.write(`eve run: ${stage.fail}\n`);
    writeReport(parsed.reportFile, "failure", []);
    return 1;
  }

  // `%(prop:master_builddir)s/build` is the bootstrap checkout in Eve: make it DIR. It is
  // labelled like a builder directory, so `eve reap` removes it after an `eve run` was killed.
  const build = `run-${process.pid}`;
  const masterBuilddir = createLabelledDir(DEFAULT_LOCAL_BASE_DIR, { instance: RUN_INSTANCE, build, stage: "bootstrap", attempt: 1, run: `${build}-master` });
  keepHeapFlat();
  const controller = new AbortController();
  const interrupt = cancelOnInterrupt(controller);
  const reporter = new TerminalReporter(interrupt.output);
  const provisioners = createProvisionerRegistry(workers.settings);
  try {
    symlinkSync(dir, join(masterBuilddir, "build"));
    const artifacts = await openRunArtifacts(resolve(parsed.artifactsDir ?? join(DEFAULT_LOCAL_BASE_DIR, "artifacts")));
    const baseProperties = {
      ...createBuildProperties({
        ...(parsed.branch ?? facts.branch ? { branch: parsed.branch ?? facts.branch } : {}),
        ...(facts.revision ? { revision: facts.revision } : {}),
        ...(facts.commitTimestamp ? { commitTimestamp: facts.commitTimestamp } : {}),
        repository: (await git).topLevel ?? dir,
        buildNumber: artifacts.buildNumber,
        reason: "eve run",
        stageName: stage.name,
        eveApiVersion: buildFile.version,
        maxStepDurationSec: SETTINGS.maxStepDurationSec,
        productVersion: facts.productVersion,
        masterBuilddir,
        confPath: file,
      }),
      ...parsed.properties,
    };
    const properties = withRunArtifactsProperties(baseProperties, artifacts, dir);
    const common = {
      buildFile,
      secrets,
      provisioners,
      observer: reporter,
      settings: SETTINGS,
      instance: RUN_INSTANCE,
      repoDir: dir,
      services: { artifacts: artifacts.access, ...(dockerSteps ? { docker: dockerSteps } : {}), ...(coverage ? { coverage } : {}) },
      bootstrap: new MemoryBootstrapChannel(),
    };
    const launcher = new InProcessLauncher(common, triggerLimits);
    const outcome = await runStage({
      ...common,
      launcher,
      isTopStage: true,
      stage: { build, stage: stage.name, attempt: 1, run: `${build}-${Date.now().toString(36)}` },
      properties,
      forcedProperties: Object.keys(parsed.properties),
      signal: controller.signal,
    });
    await launcher.idle();
    await recordArtifactsResult(artifacts.store, outcome.properties, build, outcome.result);
    await reporter.finish(`${formatRunArtifacts(reporter.stageOutcomes())}\neve run: ${outcome.result}\n`);
    writeReport(parsed.reportFile, outcome.result, reporter.stageOutcomes());
    return isPassing(outcome.result) ? 0 : 1;
  } finally {
    interrupt.dispose();
    await closeProvisioners(provisioners);
    rmSync(masterBuilddir, { recursive: true, force: true });
  }
}

/** A worker type runs when its settings show no problem (a reachable cluster); else say why, if the file has stages of it. */
function sayWhyTypesCannotRun(workers: WorkerSettings, buildFile: BuildFile): void {
  for (const { module, problems } of workers) {
    if (problems.length === 0 || ![...buildFile.stages.values()].some((stage) => stage.worker.type === module.type)) continue;
    process.stderr.write(problems.map((problem) => `eve run: ${module.type} stages cannot run here: ${problem}\n`).join(""));
  }
}

type StageChoice = { name: string } | { skip: string } | { fail: string };

function chooseStage(parsed: RunArgs, buildFile: NonNullable<ReturnType<typeof validateBuildFile>["buildFile"]>, facts: RepoFacts): StageChoice {
  if (parsed.stage !== undefined) {
    if (!buildFile.stages.has(parsed.stage)) {
      throw new UsageError(`no stage '${parsed.stage}' in the build file; stages: ${[...buildFile.stages.keys()].join(", ")}`);
    }
    return { name: parsed.stage };
  }
  const selected = selectStage(buildFile, parsed.branch ?? facts.branch);
  if (selected.stage !== undefined) return { name: selected.stage };
  return selected.skipped ? { skip: selected.reason } : { fail: selected.reason };
}

function writeReport(path: string | undefined, result: BuildResult, stages: StageOutcome[]): void {
  if (path === undefined) return;
  const report = {
    result,
    stages: stages.map((stage) => ({
      name: stage.name,
      result: stage.result,
      durationMs: stage.durationMs,
      steps: stage.steps.map((step) => ({ name: step.name, result: step.result, durationMs: step.durationMs, exitCode: step.exitCode })),
    })),
  };
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
