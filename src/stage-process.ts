/**
 * The stage half of `npm start`. The app process (src/main.ts) forks this one
 * and keeps only webhooks, pages and their GitHub writes, so that a webhook
 * never waits behind stage work on one event loop; the two share the
 * machine's cores. It is an `eve worker` without a port of its own: the app
 * serves its metrics, asked over the IPC channel, and it goes when the app
 * goes (the channel closes), as the stages of one process did.
 */
import { startWorkersAsChild } from "./runtime/stage-process-channel.js";
import { createRuntime } from "./runtime/create-runtime.js";
import { onShutdown } from "./runtime/on-shutdown.js";
import { readConfigOrExit } from "./runtime/read-config-or-exit.js";

const config = readConfigOrExit("eve");
const runtime = createRuntime(config);
const shutdown = onShutdown(runtime.log, () => runtime.close());
await startWorkersAsChild(runtime, shutdown);
