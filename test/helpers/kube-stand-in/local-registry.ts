/**
 * A real image registry on localhost (Debian's docker-registry), so kube_pod
 * images are really pushed and pulled. dockerd trusts 127.0.0.0/8 registries
 * without TLS by default.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../free-port.js";

export interface LocalRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** The tags of a repository, [] when it has none. */
  tags(repository: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startLocalRegistry(): Promise<LocalRegistry> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "eve-test-registry-"));
  writeFileSync(
    join(dir, "config.yml"),
    `version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: ${dir}/data}, delete: {enabled: true}}\nhttp: {addr: "127.0.0.1:${port}"}\n`,
  );
  const child: ChildProcess = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`http://${host}/v2/`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
      throw new Error("docker-registry did not start (apt-get install -y docker-registry)");
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    host,
    tags: async (repository) => {
      const answer = await fetch(`http://${host}/v2/${repository}/tags/list`);
      return answer.ok ? (((await answer.json()) as { tags?: string[] }).tags ?? []) : [];
    },
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
