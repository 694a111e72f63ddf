/**
 * `SetWorkerDistro` written in a build file: Eve ran it implicitly in every
 * stage, and files may name it too. Reads `/etc/os-release` again and logs
 * what it set.
 */
import { readWorkerDistro } from "../read-worker-distro.js";
import type { StepContext, StepRun } from "../step-context.js";

export async function setWorkerDistro(context: StepContext): Promise<StepRun> {
  const distro = await readWorkerDistro(context.workspace, context.signal);
  for (const [name, value] of Object.entries(distro)) {
    context.properties.set(name, value);
    context.log(`${name} = ${value}`);
  }
  return { result: "success", exitCode: null };
}
