/**
 * Eve's Probot app in the test process, wired as src/main.ts wires it: the
 * config read from an environment, and the app loaded into the runtime's
 * Probot. Steps may run 600 s, whatever the environment says.
 */
import { createApp } from "../../src/app.js";
import type { EveConfig } from "../../src/config/eve-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { Runtime } from "../../src/runtime/create-runtime.js";

/** The config of `env`; a test's environment that Eve would refuse fails the test with Eve's messages. */
export function loadTestConfig(env: NodeJS.ProcessEnv): EveConfig {
  const { config, errors } = loadConfig(env);
  if (!config) throw new Error(errors.join("\n"));
  return config;
}

export async function loadEveApp(runtime: Runtime, config: EveConfig): Promise<void> {
  await runtime.probot.load(
    createApp({
      queues: runtime.queues,
      reporter: runtime.reporter,
      buildFilePath: config.buildFilePath,
      maxStepDurationSec: 600,
      githubServerUrl: config.githubServerUrl,
      forkBuilds: config.forkBuilds,
      artifacts: { store: runtime.artifactStore, naming: config.artifactsNaming },
    }),
  );
}
