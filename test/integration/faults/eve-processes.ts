/**
 * Real Eve processes for fault tests: a dedicated Redis server (its own port,
 * optionally with AOF, restartable), `eve worker` child processes (killable),
 * and the app side in the test process (Probot receiving pushes, enqueuing
 * through Redis) — all talking to GitHub through the HTTP stand-in.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { LOCAL_MARKER_FILE, parseMarker } from "../../../src/provisioners/local/builder-marker.js";
import { createRuntime, type Runtime } from "../../../src/runtime/create-runtime.js";
import { freePort } from "../../helpers/free-port.js";
import { loadEveApp, loadTestConfig } from "../../helpers/load-eve-app.js";

export const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const pushEvent = JSON.parse(readFileSync(new URL("../../fixtures/push-event.json", import.meta.url), "utf8")) as Record<string, unknown>;

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops it (SHUTDOWN: the AOF is written) and starts it again on the same port and data. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisServer(options: { appendonly?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "eve-fault-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", options.appendonly ? "yes" : "no", "--maxmemory-policy", "noeviction", "--dir", dir];
    child = spawn("redis-server", args, { stdio: "ignore" });
    await waitUntil(() => {
      execFileSync("redis-cli", ["-p", String(port), "ping"], { stdio: "pipe" });
      return true;
    }, 10_000);
  };
  const shutdown = async () => {
    const exiting = child && child.exitCode === null ? new Promise((resolve) => child?.once("exit", resolve)) : Promise.resolve();
    try {
      execFileSync("redis-cli", ["-p", String(port), "shutdown"], { stdio: "pipe" });
    } catch {
      // SHUTDOWN closes the connection before answering.
    }
    await exiting;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(downMs = 500) {
      await shutdown();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async stop() {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The environment of an Eve process against the stand-in and `redisUrl`. */
export function eveEnv(github: { host: string }, redisUrl: string, workspace: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    APP_ID: "1",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: "fault-test",
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    REDIS_URL: redisUrl,
    EVE_WORKER_TYPES: "local",
    EVE_MAX_LOCAL_WORKERS: "2",
    EVE_WORKSPACE_DIR: workspace,
    EVE_ARTIFACTS_DIR: `${workspace}/artifacts`,
    EVE_INSTANCE: "fault-test",
    EVE_GITHUB_WRITE_INTERVAL_MS: "0",
    EVE_PUBLIC_URL: "http://eve.test",
    LOG_LEVEL: "info",
    ...extra,
  };
}

export interface EveChild {
  readonly child: ChildProcess;
  /** Every stdout line (pino JSON) and stderr line so far. */
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** `eve worker` from the TypeScript sources (no build needed). */
export function spawnEveWorker(env: Record<string, string>): EveChild {
  const script = `const { main } = await import("./src/cli/main.ts"); process.exitCode = await main(["worker"]);`;
  return spawnEve(["--import", "tsx", "--input-type=module", "--eval", script], env);
}

export interface InProcessApp {
  runtime: Runtime;
  push(options: { id: string; sha?: string; branch?: string }): Promise<void>;
  close(): Promise<void>;
}

/** The webhook side in this process (no stage workers): a push enqueues the build in Redis. */
export async function startInProcessApp(env: Record<string, string>, log: Logger = pino({ level: "silent" })): Promise<InProcessApp> {
  const config = loadTestConfig(env);
  const runtime = createRuntime(config, { log });
  await loadEveApp(runtime, config);
  return {
    runtime,
    async push({ id, sha = pushEvent.after as string, branch = "main" }) {
      await runtime.probot.receive({ id, name: "push", payload: { ...pushEvent, ref: `refs/heads/${branch}`, after: sha } } as never);
    },
    close: () => runtime.close(),
  };
}

export function createWorkspace(): { dir: string; builderDirs(): string[]; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "eve-fault-ws-"));
  // The local provisioner's builder directories live under <EVE_WORKSPACE_DIR>/workers.
  const builders = join(dir, "workers");
  return {
    dir,
    builderDirs: () => (existsSync(builders) ? readdirSync(builders).filter((name) => !isLiveSpare(join(builders, name))) : []),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An empty builder directory a running Eve keeps for its next stage (its marker names no run, its owner lives). */
function isLiveSpare(dir: string): boolean {
  try {
    const marker = parseMarker(readFileSync(join(dir, LOCAL_MARKER_FILE), "utf8"));
    if (marker === undefined || marker.parsed.labels.run !== undefined || marker.parsed.owner === undefined) return false;
    process.kill(marker.parsed.owner.pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(probe: () => boolean, timeoutMs: number, describe: () => string = () => "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether a process is still alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process group still has a live member. */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm start` (src/main.ts from the sources): webhooks, log pages, health and metrics on PORT, and stage workers. */
export function spawnEveApp(env: Record<string, string>): EveChild {
  return spawnEve(["--import", "tsx", "src/main.ts"], env);
}

function spawnEve(args: string[], env: Record<string, string>): EveChild {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n").filter((line) => line !== ""));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    async waitForLine(pattern, timeoutMs = 20_000) {
      let found: string | undefined;
      await waitUntil(() => (found = lines.find((line) => pattern.test(line))) !== undefined, timeoutMs, () => `no line matching ${pattern} in:\n${lines.join("\n")}`);
      return found as string;
    },
  };
}

/** Sends a signed push webhook to an Eve app over HTTP. */
export async function sendPush(baseUrl: string, secret: string, delivery: string, overrides: Record<string, unknown> = {}): Promise<number> {
  const body = JSON.stringify({ ...pushEvent, ...overrides });
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const response = await fetch(`${baseUrl}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": delivery, "x-hub-signature-256": signature },
    body,
  });
  return response.status;
}
