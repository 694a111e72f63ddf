/**
 * `eve worker`: a process that only runs stages, taking them from the same
 * Redis as the app. Scale out by starting more of them, on more machines,
 * with the same environment (APP_ID, PRIVATE_KEY, REDIS_URL, EVE_*).
 */
import { startOpsServer } from "../ops/ops-server.js";
import { createRuntime } from "../runtime/create-runtime.js";
import { onShutdown } from "../runtime/on-shutdown.js";
import { readConfigOrExit } from "../runtime/read-config-or-exit.js";
import { UsageError } from "./usage-error.js";

export async function workerCommand(args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError(`unexpected argument '${args[0] ?? ""}': eve worker is configured by the environment (see docs/configuration.md)`);
  const config = readConfigOrExit("eve worker");
  const runtime = createRuntime(config);
  let ops: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  // Before start-up: a signal while it runs stops the process cleanly too.
  const shutdown = onShutdown(runtime.log, async () => {
    await runtime.close();
    await ops?.close();
  });
  await runtime.startWorkers();
  if (shutdown.requested) return new Promise<number>(() => undefined);
  // No webhook server here: health and metrics get their own port when asked for.
  ops = config.workerMetricsPort === undefined ? undefined : await startOpsServer(runtime.opsHandler, config.workerMetricsPort, config.host);
  if (ops) runtime.log.info(`eve worker: /healthz, /readyz and /metrics on port ${ops.port}`);
  runtime.log.info(`eve worker: taking ${config.workerTypes.map((t) => `${t}×${config.capacity[t]}`).join(", ")} stages from ${config.redisUrl.replace(/\/\/[^@]*@/, "//")}`);
  // Runs until a signal ends the process.
  return new Promise<number>(() => undefined);
}
