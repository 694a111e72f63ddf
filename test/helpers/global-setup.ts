/**
 * Starts the real services the tests use — Redis and the Docker Engine —
 * unless they are already running. `npm test` installs their programs first
 * (scripts/ensure-test-deps.sh); run alone, this fails with the command that
 * installs a missing one.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

const started: ChildProcess[] = [];
const tempDirs: string[] = [];

export async function setup(): Promise<void> {
  process.env.REDIS_URL ??= await startRedis();
  await ensureDocker();
}

export function teardown(): void {
  for (const child of started) child.kill("SIGTERM");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

async function startRedis(): Promise<string> {
  requireCommand("redis-server", "apt-get install -y redis-server");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "eve-test-redis-"));
  tempDirs.push(dir);
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir", dir],
    { stdio: "ignore" },
  );
  started.push(child);
  await waitFor("redis-server", () => {
    execFileSync("redis-cli", ["-p", String(port), "ping"], { stdio: "pipe" });
  });
  return `redis://127.0.0.1:${port}`;
}

async function ensureDocker(): Promise<void> {
  if (dockerAnswers()) return;
  if (process.getuid?.() !== 0) throw new Error("The tests need a Docker Engine: start dockerd as root (or run npm test as root), or get access to the running one (the docker group)");
  requireCommand("dockerd", "apt-get install -y docker.io");
  const child = spawn("dockerd", ["--iptables=false", "--bridge=none"], { stdio: "ignore", detached: true });
  child.unref();
  await waitFor("dockerd", () => {
    if (!dockerAnswers()) throw new Error("not yet");
  });
}

function dockerAnswers(): boolean {
  try {
    execFileSync("docker", ["info"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

function requireCommand(command: string, install: string): void {
  const found = (process.env.PATH ?? "").split(":").some((dir) => existsSync(join(dir, command)));
  if (!found) throw new Error(`The tests need ${command}: ${install} (npm test installs it as root on Debian: scripts/ensure-test-deps.sh)`);
}

async function waitFor(what: string, probe: () => void, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      probe();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
