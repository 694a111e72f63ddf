/**
 * The StageLauncher of `eve run`: triggered stages run in this process,
 * concurrently, each through runStage with its own fresh workspace.
 */
import { createChildProperties } from "./child-properties.js";
import { runStage } from "./run-stage.js";
import { DEFAULT_TRIGGER_LIMITS, getCountRefusal, getDepthRefusal, TriggerRefusedError, type TriggerLimits } from "./trigger-limits.js";
import type { LaunchRequest, RunStageOptions, StageLauncher, StageOutcome } from "./types.js";

/** Everything a stage run needs except what each triggered stage gets of its own. */
export type InProcessLauncherOptions = Omit<RunStageOptions, "stage" | "properties" | "launcher" | "signal" | "forcedProperties" | "isTopStage">;

export class InProcessLauncher implements StageLauncher {
  private readonly options: InProcessLauncherOptions;
  private readonly detached = new Set<Promise<StageOutcome>>();
  private readonly limits: TriggerLimits;
  /** Levels below the top stage of each triggered run (the top stage is absent: level 0). */
  private readonly depths = new Map<string, number>();
  private counter = 0;

  constructor(options: InProcessLauncherOptions, limits: TriggerLimits = DEFAULT_TRIGGER_LIMITS) {
    this.options = options;
    this.limits = limits;
  }

  async launch(request: LaunchRequest): Promise<StageOutcome[]> {
    // One launcher serves one build: the counter is the number of stages triggered so far.
    const depth = (this.depths.get(request.parent.run) ?? 0) + 1;
    const refusal = getDepthRefusal(this.limits, depth) ?? getCountRefusal(this.limits, this.counter, request.stages.length);
    if (refusal) throw new TriggerRefusedError(refusal);
    const runs = request.stages.map((name) => {
      const run = `${request.parent.run}.${++this.counter}`;
      this.depths.set(run, depth);
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
