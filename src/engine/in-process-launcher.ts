/**
 * The StageLauncher of `eve run`: triggered stages run in this process,
 * concurrently, each through runStage with its own fresh workspace.
 */
import { createChildProperties } from "./child-properties.js";
import { runStage } from "./run-stage.js";
import type { LaunchRequest, RunStageOptions, StageLauncher, StageOutcome } from "./types.js";

/** Everything a stage run needs except what each triggered stage gets of its own. */
export type InProcessLauncherOptions = Omit<RunStageOptions, "stage" | "properties" | "launcher" | "signal" | "forcedProperties">;

export class InProcessLauncher implements StageLauncher {
  private readonly options: InProcessLauncherOptions;
  private readonly detached = new Set<Promise<StageOutcome>>();
  private counter = 0;

  constructor(options: InProcessLauncherOptions) {
    this.options = options;
  }

  async launch(request: LaunchRequest): Promise<StageOutcome[]> {
    const runs = request.stages.map((name) => {
      const run = `${request.parent.run}.${++this.counter}`;
      return runStage({
        ...this.options,
        stage: { build: request.parent.build, stage: name, attempt: 1, run },
        properties: createChildProperties(request.properties, request.parent.stage, name, this.options.buildFile.stages.get(name)),
        launcher: this,
        signal: request.signal,
        forcedProperties: request.forcedProperties ?? [],
      });
    });
    if (request.wait) return Promise.all(runs);
    for (const run of runs) {
      this.detached.add(run);
      void run.finally(() => this.detached.delete(run));
    }
    return [];
  }

  /** Resolves once every stage started without waiting has finished (the CLI waits for them before it exits). */
  async idle(): Promise<void> {
    while (this.detached.size > 0) await Promise.allSettled([...this.detached]);
  }
}
