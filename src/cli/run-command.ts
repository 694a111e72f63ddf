/**
 * `eve run`: runs a build on this machine with the engine the app uses
 * (run-build.ts). The command line is read first and the spawn helper that
 * starts the steps is started at once, so that it boots while the engine's
 * modules load.
 */
import { startSpawnHelper } from "../provisioners/local/spawn-helper.js";
import { parseRunArgs, RUN_USAGE } from "./parse-run-args.js";

export async function runCommand(args: string[]): Promise<number> {
  const parsed = parseRunArgs(args);
  if (parsed.help) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  startSpawnHelper();
  return (await import("./run-build.js")).runBuild(parsed);
}
