/**
 * Starts the real services the tests use — Redis and the Docker Engine —
 * unless they are already running, and stops what it started once the tests
 * end: a dockerd that was running before (shared, or a developer's) is left
 * alone, with its images. `npm test` installs their programs first
 * (scripts/ensure-test-deps.sh); run alone, this fails with the command that
 * installs a missing one.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUSYBOX_IMAGE } from "./busybox-image.js";
import { freePort } from "./free-port.js";

const tempDirs: string[] = [];
let redis: ChildProcess | undefined;
/** The dockerd this set-up started; undefined when one was already answering. */
let dockerd: ChildProcess | undefined;

/** The run's own temporary folder: every test's tmpdir(), and its children's, is inside it. */
let runTmp: string | undefined;

export async function setup(): Promise<void> {
  // Set before the test workers fork, so they and every process they start inherit it.
  runTmp = mkdtempSync(join(tmpdir(), "eve-test-run-"));
  process.env.TMPDIR = runTmp;
  process.env.REDIS_URL ??= await startRedis();
  await ensureDocker();
}

export async function teardown(): Promise<void> {
  if (dockerd) {
    // Nobody else uses this engine: the tests' base image goes with it (the tests remove their own resources).
    if (imageExists(BUSYBOX_IMAGE)) execFileSync("docker", ["image", "rm", "--force", BUSYBOX_IMAGE], { stdio: "ignore" });
    await stop(dockerd, 30_000);
  }
  if (redis) await stop(redis, 10_000);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  if (runTmp) removeRunTmp(runTmp);
}

/** Names what the tests left in the run's temporary folder (a test that does not clean up), then removes it all. */
function removeRunTmp(dir: string): void {
  // tsx keeps its compile cache there (tsx-UID): not a leak.
  const left = readdirSync(dir).filter((name) => !/^tsx-\d+$/.test(name));
  if (left.length > 0) process.stderr.write(`global-setup: the tests left these in ${dir} (removed now): ${left.join(", ")}\n`);
  rmSync(dir, { recursive: true, force: true });
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
async function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
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
  redis = child;
  await waitFor("redis-server", () => {
    execFileSync("redis-cli", ["-p", String(port), "ping"], { stdio: "pipe" });
  });
  return `redis://127.0.0.1:${port}`;
}

async function ensureDocker(): Promise<void> {
  if (dockerAnswers()) return;
  if (process.getuid?.() !== 0) throw new Error("The tests need a Docker Engine: start dockerd as root (or run npm test as root), or get access to the running one (the docker group)");
  requireCommand("dockerd", "apt-get install -y docker.io");
  // Its own process group: a Ctrl-C of the tests does not cut it off mid-write; teardown stops it.
  dockerd = spawn("dockerd", ["--iptables=false", "--bridge=none"], { stdio: "ignore", detached: true });
  dockerd.unref();
  await waitFor("dockerd", () => {
    if (!dockerAnswers()) throw new Error("not yet");
  });
}

function imageExists(image: string): boolean {
  try {
    execFileSync("docker", ["image", "inspect", image], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
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
