/**
 * One running container of a docker stage: steps run in it through exec,
 * teardown kills and removes it with its anonymous volumes.
 */
import type { ExecOptions, ExecResult, StepCommand, Workspace } from "../types.js";
import type { DockerClient } from "./docker-client.js";
import { runDockerExec } from "./docker-exec.js";
import { expandEnv } from "../local/expand-env.js";
import { createStepToken } from "../supervise-wrapped-exec.js";

export class DockerWorkspace implements Workspace {
  readonly id: string;
  readonly builderDir: string;
  /** Eve's docker stage properties (`docker_image`, `docker_memory`, ...). */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly #client: DockerClient;
  #teardown: Promise<void> | undefined;
  #containerEnv: Promise<Record<string, string>> | undefined;

  constructor(client: DockerClient, containerId: string, builderDir: string, properties: Record<string, unknown> = {}) {
    this.#client = client;
    this.id = containerId;
    this.builderDir = builderDir;
    this.properties = properties;
  }

  async exec(command: StepCommand, options: ExecOptions): Promise<ExecResult> {
    // The exec's environment is the image's ENV overlaid with the step's; `${NAME}` in a step's
    // value refers to the container's own variable, as with Buildbot's worker.
    let env = options.env;
    if (Object.values(env).some((value) => value.includes("${"))) {
      this.#containerEnv ??= this.#client.containerEnv(this.id);
      env = expandEnv(env, await this.#containerEnv);
    }
    return runDockerExec({ client: this.#client, containerId: this.id, stepToken: createStepToken() }, command, { ...options, env });
  }

  teardown(): Promise<void> {
    // Memoized, so a second call waits for the first; a failed removal can be retried.
    this.#teardown ??= this.#client.removeContainer(this.id).catch((error: unknown) => {
      this.#teardown = undefined;
      throw error;
    });
    return this.#teardown;
  }
}
