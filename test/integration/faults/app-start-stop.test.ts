/**
 * Starting and stopping the app as an operator does.
 * `npm start` (docker stop, systemd, a terminal's kill): SIGTERM goes to npm,
 * which forwards it to the shell of the start script. Without `exec` in the
 * script, that shell (dash) died and left Eve running as an orphan, and npm
 * exited 143.
 * A port already in use: one message and exit 1, not an uncaught exception
 * after the stage workers had already started taking jobs.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../helpers/free-port.js";
import { startGitHubStandIn, type GitHubStandIn } from "../../helpers/github-stand-in.js";
import { createServer } from "node:net";
import { createWorkspace, eveEnv, isAlive, spawnEveApp, startRedisServer, waitUntil, type RedisServer } from "./eve-processes.js";

const ROOT = join(import.meta.dirname, "../../..");
let redis: RedisServer | undefined;
let github: GitHubStandIn | undefined;
let workspace: ReturnType<typeof createWorkspace> | undefined;
let evePid: number | undefined;

beforeAll(async () => {
  // `npm test` builds first; build here when the test runs alone.
  if (!existsSync(join(ROOT, "dist/main.js"))) await promisify(execFile)("npm", ["run", "build"], { cwd: ROOT });
}, 120_000);

afterEach(async () => {
  if (evePid !== undefined && isAlive(evePid)) process.kill(evePid, "SIGKILL");
  evePid = undefined;
  await github?.close();
  await redis?.stop();
  workspace?.remove();
});

describe("npm start", () => {
  it("stops Eve itself on SIGTERM to npm, and exits 0", async () => {
    redis = await startRedisServer();
    github = await startGitHubStandIn({ buildFile: "version: 0.2\n" });
    workspace = createWorkspace();
    const port = await freePort();
    const env = eveEnv(github, redis.url, workspace.dir, { PORT: String(port), HOST: "127.0.0.1" });
    const npm = spawn("npm", ["start"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
    let output = "";
    npm.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    npm.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    // Eve's pid, from its own "Listening" log line.
    await waitUntil(() => /"pid":(\d+).*Listening on/.test(output), 30_000, () => output);
    evePid = Number(/"pid":(\d+).*Listening on/.exec(output)?.[1]);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    npm.kill("SIGTERM");
    expect(await exited).toBe(0);
    await waitUntil(() => !isAlive(evePid as number), 10_000, () => `Eve (pid ${evePid}) still running after npm exited`);
  }, 60_000);

  it("says once that the port is taken and exits 1, without starting stage workers", async () => {
    redis = await startRedisServer();
    github = await startGitHubStandIn({ buildFile: "version: 0.2\n" });
    workspace = createWorkspace();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const eve = spawnEveApp(eveEnv(github, redis.url, workspace.dir, { PORT: String(port), HOST: "127.0.0.1" }));

      expect(await eve.exited).toBe(1);
      expect(eve.lines).toContain(`eve: cannot start: Port ${port} is already in use. You can define the PORT environment variable to use a different port.`);
      expect(eve.lines.join("\n")).not.toMatch(/triggerUncaughtException|Stage workers|webhooks at/);
      // No BullMQ worker ever registered on this Redis.
      expect(execFileSync("redis-cli", ["-p", String(redis.port), "--scan", "--pattern", "*:stalled-check"]).toString().trim()).toBe("");
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);
});
