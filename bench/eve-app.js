// Eve as operators run it, for the benches that go through the whole app: `node dist/main.js` (the app
// process and its stage process) against a Redis of its own and the local GitHub stand-in, pushes sent
// as signed webhooks, and GitHub's writes watched as the stand-in receives them.
import { execFileSync, spawn } from "node:child_process";
import { createHmac, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitHubStandIn } from "./github-stand-in.js";

const WEBHOOK_SECRET = "bench";

/**
 * Starts Redis (unless REDIS_URL), the stand-in serving `fileAt(path, ref)` and Eve with `env` over the
 * bench's defaults. `stop()` ends them all.
 */
export async function startEveApp(fileAt, env = {}) {
  const cleanup = [];
  const stop = async () => {
    for (const step of cleanup.reverse()) await step();
  };
  try {
    const redisUrl = process.env.REDIS_URL ?? (await startRedis(cleanup));
    const github = await startGitHubStandIn(fileAt);
    cleanup.push(() => github.close());
    return { ...(await startEve(github, redisUrl, env, cleanup)), github, redisUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Eve (`node dist/main.js`) against `github` and `redisUrl`, with `env` over the bench's settings; resolves once it answers. */
export async function startEve(github, redisUrl, env, cleanup) {
  const port = await freePort();
  const workspace = mkdtempSync(join(tmpdir(), "eve-bench-app-"));
  cleanup.push(() => rmSync(workspace, { recursive: true, force: true }));
  // BENCH_EVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the app (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = process.env.BENCH_EVE_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const eve = spawn(process.execPath, [...nodeArgs, "dist/main.js"], {
    env: {
      ...process.env,
      APP_ID: "1",
      PRIVATE_KEY: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      WEBHOOK_SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      GHE_HOST: github.host,
      GHE_PROTOCOL: "http",
      REDIS_URL: redisUrl.replace(/\/?$/, ""),
      EVE_WORKSPACE_DIR: workspace,
      EVE_ARTIFACTS_DIR: join(workspace, "artifacts"),
      EVE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      EVE_INSTANCE: "bench",
      // A local stand-in has no secondary rate limits.
      EVE_GITHUB_WRITE_INTERVAL_MS: "0",
      EVE_COMMIT_STATUS: "on",
      NODE_ENV: "production",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise((resolve) => eve.on("exit", (code) => resolve(code)));
  cleanup.push(async () => {
    // Its stage process (its own process group) outlives a SIGKILL of the app until it sees the channel close,
    // writing logs meanwhile: the workspace is removed once it is gone.
    const stageProcesses = childPids(eve.pid);
    eve.kill("SIGKILL");
    await waitFor(() => stageProcesses.every((pid) => !isAlive(pid)), 30_000).catch(() => undefined);
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ping`)).ok, 20_000);
  return {
    port,
    /** The app process's pid (its stage process is its child). */
    pid: eve.pid,
    exited,
    /** Sends a signed push of `sha` to `branch`; resolves once Eve answered the webhook. */
    push: (sha, branch, installationId = 1) => postWebhook(port, `push-${randomBytes(6).toString("hex")}`, pushPayload(sha, branch, installationId)),
    /** SIGTERM, then Eve's exit code ("timeout" after 30 s). */
    async terminate() {
      eve.kill("SIGTERM");
      return Promise.race([exited, sleep(30_000).then(() => "timeout")]);
    },
    kill: () => eve.kill("SIGKILL"),
  };
}

/** The first write the stand-in received (or receives within `timeoutMs`) that `predicate` accepts. */
export function waitForWrite(github, predicate, timeoutMs, what = "matching GitHub write") {
  const found = github.writes.find(predicate);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = github.onWrite((write) => {
      if (!predicate(write)) return;
      clearTimeout(timer);
      stop();
      resolve(write);
    });
  });
}

export async function waitFor(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const newSha = () => randomBytes(20).toString("hex");

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function pushPayload(sha, branch, installationId) {
  return {
    ref: `refs/heads/${branch}`,
    before: "0".repeat(40),
    after: sha,
    created: false,
    deleted: false,
    forced: false,
    compare: "",
    commits: [],
    head_commit: null,
    installation: { id: installationId, node_id: "x" },
    // Public: the bench reads logs back through their pages without signing in.
    repository: { id: 4242, name: "bench", full_name: "eve/bench", private: false, owner: { login: "eve", id: 1 } },
    pusher: { name: "eve" },
    sender: { login: "eve", id: 1 },
  };
}

async function postWebhook(port, id, payload) {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
  const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": id, "x-hub-signature-256": signature },
    body,
  });
  if (!response.ok) throw new Error(`webhook ${id}: ${response.status} ${await response.text()}`);
}

function childPids(pid) {
  try {
    return execFileSync("pgrep", ["-P", String(pid)]).toString().split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // none
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A Redis server of the bench's own; `cleanup` stops it. */
export async function startRedis(cleanup) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "eve-bench-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir", dir], { stdio: "ignore" });
  cleanup.push(() => {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(() => execFileSync("redis-cli", ["-p", String(port), "ping"]).toString().includes("PONG"), 10_000);
  return `redis://127.0.0.1:${port}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}
