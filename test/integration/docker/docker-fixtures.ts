/**
 * Shared pieces of the Docker integration tests: a spawn context with
 * unique labels, exec options that collect output, and the engine's
 * labelled containers of an instance (what must be zero after each test).
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { ExecOptions, SpawnContext } from "../../../src/provisioners/types.js";

export function uniqueInstance(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}

export function spawnContext(instance: string, overrides: Partial<SpawnContext> = {}): SpawnContext & { lines: string[] } {
  const lines: string[] = [];
  const run = `run-${randomUUID().slice(0, 12)}`;
  return {
    labels: { instance, build: "b1", stage: "docker-stage", attempt: 1, run },
    repoDir: undefined,
    interpolate: (value) => value.replaceAll("%(prop:tag)s", "latest"),
    log: (line) => lines.push(line),
    signal: new AbortController().signal,
    lines,
    ...overrides,
  };
}

export interface CollectedExec {
  options: ExecOptions;
  stdout: () => string;
  stderr: () => string;
}

export function collectExec(overrides: Partial<ExecOptions> = {}): CollectedExec {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  return {
    options: {
      workdir: "/home/eve/workspace/build",
      env: {},
      timeoutMs: 60_000,
      maxTimeMs: 120_000,
      killGraceMs: 1_000,
      usePty: false,
      onOutput: (chunk, stream) => void (stream === "stdout" ? out : err).push(chunk),
      signal: new AbortController().signal,
      ...overrides,
    },
    stdout: () => Buffer.concat(out).toString(),
    stderr: () => Buffer.concat(err).toString(),
  };
}

/** Names of the engine's containers labelled with this instance (running or not). */
export function labelledContainers(instance: string): string[] {
  const out = execFileSync("docker", ["ps", "-a", "--filter", `label=eve.instance=${instance}`, "--format", "{{.Names}}"], { encoding: "utf8" });
  return out.split("\n").filter((line) => line !== "");
}
