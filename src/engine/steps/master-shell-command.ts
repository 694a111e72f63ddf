/**
 * `MasterShellCommand`: runs on the Eve host itself, not in the worker — only
 * when the operator allows it (settings.allowMasterShellCommand). Its default
 * workdir is the bootstrap checkout's builder dir (`master_builddir`).
 */
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { runProcess } from "../../provisioners/local/run-process.js";
import { expandEnv } from "../../provisioners/local/expand-env.js";
import { commandResult, describeCommand, toStepCommand, type StepContext, type StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";
import { createOutputPipeline } from "../../logs/output-pipeline.js";

export async function masterShellCommand(context: StepContext): Promise<StepRun> {
  if (!context.run.settings.allowMasterShellCommand) {
    return { result: "failure", exitCode: null, summary: "MasterShellCommand is disabled: the Eve operator has not allowed commands on the Eve host" };
  }
  const command = toStepCommand(context.params.command);
  if (!command) throw new StepConfigError("MasterShellCommand needs a 'command': a string or a list");
  const masterDir = context.properties.get("master_builddir");
  const base = typeof masterDir === "string" && masterDir !== "" ? masterDir : (context.run.repoDir ?? process.cwd());
  const workdir = context.options.workdir === undefined ? base : isAbsolute(context.options.workdir) ? context.options.workdir : resolve(base, context.options.workdir);
  const hostEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? homedir(), LANG: process.env.LANG ?? "C.UTF-8" };
  const pipeline = createOutputPipeline({ secrets: context.run.secrets.values(), sink: (text) => context.run.observer.output(context.stage, text) });
  context.log(`$ ${describeCommand(command)}  (on the Eve host, in ${workdir})`);
  const run = await runProcess(command, {
    workdir,
    env: { ...hostEnv, ...expandEnv(context.options.env, hostEnv) },
    timeoutMs: context.options.timeoutMs,
    maxTimeMs: context.options.maxTimeMs,
    killGraceMs: context.options.killGraceMs,
    usePty: false,
    onOutput: pipeline.write,
    signal: context.signal,
  });
  await pipeline.end();
  return commandResult(run, context.options);
}
