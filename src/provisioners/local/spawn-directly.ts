/**
 * Starts step processes from Eve's own process, for a process as small as the
 * spawn helper itself (`eve run`: ~60 MB, the helper ~40 MB), where forking
 * costs what forking the helper costs. Then the helper is only overhead: a
 * second Node process to boot, and on every step an IPC round trip, two
 * socket connections and their accepts, each a wake-up of another process
 * on the step's path. Same contract as spawnThroughHelper: the process in
 * its own group, its workdir created first, its group recorded for the
 * reaper, its output delivered with backpressure, `closed` once it exited
 * and its output ended.
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import type { Readable } from "node:stream";
import { OutputBackpressure } from "./output-backpressure.js";
import type { HelperProcessEvents } from "./spawn-helper.js";
import type { SpawnRequest } from "./spawn-helper-protocol.js";

export function spawnDirectly(request: Omit<SpawnRequest, "type" | "id" | "output">, events: HelperProcessEvents): void {
  try {
    mkdirSync(request.cwd, { recursive: true });
  } catch (error) {
    events.failed(error instanceof Error ? error.message : String(error), "workdir");
    return;
  }
  const child = spawn(request.file, request.args, { cwd: request.cwd, env: request.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let failed = false;
  child.on("error", (error) => {
    failed = true;
    events.failed(error.message, "start");
  });
  if (child.pid === undefined) return;
  // At once: an Eve killed now leaves the step running, and with no helper to finish the record the
  // reaper would never find it. Best effort, as the directory may be going away.
  if (request.groupsFile !== undefined) recordGroup(request.groupsFile, child.pid);
  events.started(child.pid);
  const outputs = new OutputBackpressure<Readable>((data, stream) => events.output(data, stream));
  for (const [pipe, stream] of [[child.stdout, "stdout"], [child.stderr, "stderr"]] as const) {
    if (pipe === null) continue;
    outputs.add(pipe);
    pipe.on("data", (data: Buffer) => outputs.deliver(data, stream));
  }
  // After exit and the end of both pipes: every byte was delivered.
  child.on("close", (code) => {
    if (!failed) events.closed(code);
  });
}

function recordGroup(file: string, pgid: number): void {
  try {
    appendFileSync(file, `${pgid}\n`);
  } catch {
    // The reaper then finds the directory without this group; teardown kills it anyway.
  }
}
