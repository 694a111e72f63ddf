/**
 * An Eve that dies in the middle of a step, for the provisioner contract:
 * spawns a workspace of the given worker type (through the registry, on the
 * built code in dist/; local steps started by the helper or, as in `eve run`,
 * by this process), starts a step that runs for ten minutes, prints
 * "running <workspace id>" and waits to be killed with SIGKILL.
 */
import { loadWorkerSettings } from "../../dist/config/load-worker-settings.js";
import { spawnStepsInThisProcess } from "../../dist/provisioners/local/run-process.js";
import { createProvisionerRegistry } from "../../dist/provisioners/registry.js";

const request = JSON.parse(process.argv[2] ?? "{}");
if (request.stepsInThisProcess) spawnStepsInThisProcess();
const provisioner = createProvisionerRegistry(loadWorkerSettings(request.env).settings, request.context).get(request.type);
const labels = { instance: request.instance, build: "killed", stage: "killed", attempt: 1, run: `run-killed-${process.pid}` };
const workspace = await provisioner.spawn(request.spec, { labels, repoDir: request.repoDir, interpolate: (value) => value, log: () => undefined, signal: new AbortController().signal });
let said = false;
await workspace.exec(
  { shell: "echo started; sleep 600" },
  {
    workdir: `${workspace.builderDir}/build`,
    env: {},
    timeoutMs: 600_000,
    maxTimeMs: 600_000,
    killGraceMs: 1_000,
    usePty: false,
    onOutput: () => {
      if (!said) process.stdout.write(`running ${workspace.id}\n`);
      said = true;
    },
    signal: new AbortController().signal,
  },
);
