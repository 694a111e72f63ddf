/**
 * `eve run`: runs a build on this machine with the engine the app uses
 * (run-build.ts), its steps started by this process itself: it is no larger
 * than the spawn helper the app uses, so the helper would only add a Node
 * process to boot and an IPC round trip per step (spawn-directly.ts). Git is
 * asked for the checkout's facts before the engine's modules load.
 */
import { resolve } from "node:path";
import { queryGit } from "../engine/read-repo-facts.js";
import { spawnStepsInThisProcess } from "../provisioners/local/run-process.js";
import { parseRunArgs, RUN_USAGE } from "./parse-run-args.js";

export async function runCommand(args: string[]): Promise<number> {
  const parsed = parseRunArgs(args);
  if (parsed.help) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  spawnStepsInThisProcess();
  // Now, so that git runs while the engine's modules load.
  const git = queryGit(resolve(parsed.dir));
  return (await import("./run-build.js")).runBuild(parsed, git);
}
