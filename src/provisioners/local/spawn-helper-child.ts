/**
 * The spawn helper's own process (see spawn-helper.ts): a small Node process
 * that starts step processes for Eve, their stdout and stderr connected to
 * Eve's output socket, and tells Eve when they start and exit. It never reads
 * their output, so it stays as small as a bare Node process however much a
 * step prints (relaying it held up to ~50 MB of buffers waiting for V8 to
 * collect them). It exits with its parent (the channel closes), once the
 * process groups it was recording are written; the steps, each in its own
 * process group, are left to Eve's teardown and reaper.
 */
import { spawn } from "node:child_process";
import { appendFile, mkdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import type { OutputStream } from "../types.js";
import { encodeOutputHeader, type HelperReply, type HelperRequest, type SpawnRequest } from "./spawn-helper-protocol.js";

const send = (reply: HelperReply) => process.send?.(reply);

/** Group records still being written: a helper whose Eve died finishes them first (the reaper needs them). */
let recording = 0;
let disconnected = false;

process.on("message", (request: HelperRequest) => void start(request));
process.on("disconnect", () => {
  disconnected = true;
  if (recording === 0) process.exit(0);
});

async function start(request: SpawnRequest): Promise<void> {
  const { id } = request;
  // Here, not in Eve: a step's workdir almost always exists (one mkdir call that fails EEXIST), and in Eve
  // the call was a hop through its thread pool on every step's path.
  try {
    mkdirSync(request.cwd, { recursive: true });
  } catch (error) {
    send({ type: "failed", id, message: error instanceof Error ? error.message : String(error), cause: "workdir" });
    return;
  }
  const connected = await Promise.allSettled([connectOutput(request, "stdout"), connectOutput(request, "stderr")]);
  const outputs = connected.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const refused = connected.find((result) => result.status === "rejected");
  if (refused) {
    for (const output of outputs) output.destroy();
    send({ type: "failed", id, message: `cannot connect its output to Eve: ${String(refused.reason)}`, cause: "start" });
    return;
  }
  const child = spawn(request.file, request.args, { cwd: request.cwd, env: request.env, detached: true, stdio: ["ignore", ...outputs] });
  // The child holds its own copies: Eve sees the end of its output when the step's processes close theirs.
  for (const output of outputs) output.destroy();
  if (child.pid !== undefined) {
    if (request.groupsFile !== undefined) recordGroup(request.groupsFile, child.pid);
    send({ type: "started", id, pid: child.pid });
  }
  let failed = false;
  child.on("error", (error) => {
    failed = true;
    send({ type: "failed", id, message: error.message, cause: "start" });
  });
  child.on("close", (code) => {
    if (!failed) send({ type: "closed", id, code });
  });
}

/**
 * Best effort, as the directory may be going away: Eve's teardown kills the group it knows anyway.
 * Not blocking: a file system busy with builds can hold a file's creation for milliseconds, and
 * the helper starts every step of this Eve process.
 */
function recordGroup(file: string, pgid: number): void {
  recording++;
  // An error: the reaper then finds the directory without this group.
  appendFile(file, `${pgid}\n`, () => {
    if (--recording === 0 && disconnected) process.exit(0);
  });
}

/** A connection to Eve's output socket, its header written: the step may write to it from now on. */
function connectOutput(request: SpawnRequest, stream: OutputStream): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(request.output.path);
    socket.once("error", reject);
    socket.write(encodeOutputHeader(request.output.key, request.id, stream), (error) => {
      if (error) reject(error);
      else {
        socket.off("error", reject);
        resolve(socket);
      }
    });
  });
}
