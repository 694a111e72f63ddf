/**
 * `npm start`'s two processes and the IPC channel between them: the app forks
 * its stage process (src/stage-process.ts), waits until it takes stages,
 * starts another when it dies, asks it for its metrics on each scrape, and
 * stops it (SIGTERM: its stages end within EVE_SHUTDOWN_GRACE) before
 * stopping itself. The stage process exits with the app: when the channel
 * closes, the app is gone (killed, crashed), and stages alone would run on
 * unwatched; BullMQ hands them to the next process, as after any crash.
 */
import { type ChildProcess, fork } from "node:child_process";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { STAGE_PROCESS_NODE_ARGS } from "../logs/keep-heap-flat.js";
import type { MetricsSource } from "../ops/eve-metrics.js";
import type { Runtime } from "./create-runtime.js";
import type { Shutdown } from "./on-shutdown.js";

type StageProcessMessage = { type: "eve:ready" } | { type: "eve:metrics"; id: number; metrics?: Awaited<ReturnType<MetricsSource>> };

export interface StageProcess {
  /** Resolves once the first stage process takes stages; rejects when it exits before. */
  readonly ready: Promise<void>;
  /** The stage process's metrics ([] while there is none, or when it does not answer in time). */
  readonly metrics: MetricsSource;
  /** The stage process's pid now (undefined between a crash and its restart). */
  readonly pid: number | undefined;
  /** SIGTERM to the stage process; resolves once it exited (no restart after). */
  stop(): Promise<void>;
}

export interface StageProcessOptions {
  log: Logger;
  /** How long a scrape waits for the stage process's metrics (default 2 s). */
  metricsTimeoutMs?: number;
}

/** Forks the stage process (see `ready`); `stop` works from the start, also while it starts. */
export function startStageProcess(options: StageProcessOptions): StageProcess {
  const { log } = options;
  let child: ChildProcess | undefined;
  let stopping = false;
  /** Restarts are for a stage process that once ran: one that cannot start at all fails `npm start`. */
  let everReady = false;
  let nextRequest = 0;
  let restartDelayMs = FIRST_RESTART_DELAY_MS;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      // Its own process group: a terminal's Ctrl-C reaches the app alone, which stops the stage process itself.
      const execArgv = [...STAGE_PROCESS_NODE_ARGS, ...process.execArgv];
      const started = fork(STAGE_PROCESS_ENTRY, [], { execArgv, detached: true, stdio: "inherit" });
      const startedAt = Date.now();
      child = started;
      started.on("message", (message: StageProcessMessage) => {
        if (message.type !== "eve:ready") return;
        everReady = true;
        resolve();
      });
      started.once("exit", (code, signal) => {
        child = undefined;
        reject(new Error(`the stage process exited (${signal ?? `code ${code}`}) before it took stages`));
        if (stopping || !everReady) return;
        if (Date.now() - startedAt > STABLE_AFTER_MS) restartDelayMs = FIRST_RESTART_DELAY_MS;
        log.error({ code, signal, restartInMs: restartDelayMs }, "The stage process exited; starting another");
        setTimeout(() => {
          if (!stopping) start().catch((error: unknown) => log.error({ err: error }, "The stage process did not start"));
        }, restartDelayMs).unref();
        restartDelayMs = Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS);
      });
    });
  return {
    ready: start(),
    get pid() {
      return child?.pid;
    },
    metrics: async () => {
      const asked = child;
      if (!asked?.connected) return [];
      const id = nextRequest++;
      return new Promise((resolve) => {
        const answer = (message: StageProcessMessage) => {
          if (message.type !== "eve:metrics" || message.id !== id) return;
          done(message.metrics ?? []);
        };
        const timer = setTimeout(() => done([]), options.metricsTimeoutMs ?? 2_000);
        const done = (metrics: Awaited<ReturnType<MetricsSource>>) => {
          clearTimeout(timer);
          asked.off("message", answer);
          asked.off("exit", gone);
          resolve(metrics);
        };
        const gone = () => done([]);
        asked.on("message", answer);
        asked.once("exit", gone);
        asked.send({ type: "eve:metrics", id } satisfies StageProcessMessage, (error) => error && done([]));
      });
    },
    async stop() {
      stopping = true;
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once("exit", resolve));
      running.kill("SIGTERM");
      await exited;
    },
  };
}

/** The stage process's side: answer metrics requests, take stages, say so, and go when the app goes. */
export async function startWorkersAsChild(runtime: Runtime, shutdown: Shutdown): Promise<void> {
  const send = (message: StageProcessMessage) => process.send?.(message);
  process.on("disconnect", () => {
    runtime.log.error("The app process is gone; its stage process exits with it (BullMQ hands its stages on)");
    process.exit(1);
  });
  process.on("message", (message: StageProcessMessage) => {
    if (message.type !== "eve:metrics") return;
    runtime.metrics.registry.getMetricsAsJSON().then(
      (metrics) => send({ type: "eve:metrics", id: message.id, metrics }),
      () => send({ type: "eve:metrics", id: message.id }),
    );
  });
  await runtime.startWorkers();
  if (shutdown.requested) return;
  send({ type: "eve:ready" });
  runtime.log.info("Taking stages in the stage process");
}

const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A stage process that ran this long was not crashing at start-up: the next restart waits the first delay again. */
const STABLE_AFTER_MS = 60_000;
/** src/stage-process.ts, or the .js built from it (under tsx the app runs from the sources). */
const STAGE_PROCESS_ENTRY = fileURLToPath(new URL(`../stage-process${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
