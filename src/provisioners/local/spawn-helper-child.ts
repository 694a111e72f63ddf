/**
 * The spawn helper's own process (see spawn-helper.ts): a small Node process
 * that starts step processes for Eve, their stdout and stderr connected to
 * Eve's output socket, and tells Eve when they start and exit. It never reads
 * their output, so it stays as small as a bare Node process however much a
 * step prints (relaying it held up to ~50 MB of buffers waiting for V8 to
 * collect them). It exits with its parent (the channel closes); the steps,
 * each in its own process group (recorded as it starts), are left to Eve's
 * teardown and reaper.
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import type { OutputStream } from "../types.js";
import { encodeOutputHeader, type HelperReply, type HelperRequest, type OutputEndpoint, type SpawnRequest } from "./spawn-helper-protocol.js";

/**
 * A reply to Eve; when Eve is gone (killed mid-step) it is dropped: without the callback the failed send
 * is an 'error' event that ended the helper with EPIPE before it had written the groups it records.
 */
const send = (reply: HelperReply) => {
  if (process.connected) process.send?.(reply, undefined, undefined, () => undefined);
};

process.on("message", (request: HelperRequest) => void start(request));
// Every group it started is recorded by then (recordGroup is synchronous): the reaper has them.
process.on("disconnect", () => process.exit(0));

type Outputs = Promise<PromiseSettledResult<Socket>[]>;

/**
 * The output connections of the next request, opened while the last one's process runs: Eve numbers its
 * requests 1, 2, 3… and holds connections for the next number until the request comes (spawn-helper.ts),
 * so a step starts without waiting for two connections to open (~0.2 ms of every step's path).
 */
let ahead: { id: number; outputs: Outputs } | undefined;
/** The highest request id received. */
let lastId = 0;

async function start(request: SpawnRequest): Promise<void> {
  const { id } = request;
  lastId = Math.max(lastId, id);
  let opening: Outputs | undefined;
  if (ahead?.id === id) [opening, ahead] = [ahead.outputs, undefined];
  // Here, not in Eve: a step's workdir almost always exists (one mkdir call that fails EEXIST), and in Eve
  // the call was a hop through its thread pool on every step's path.
  try {
    mkdirSync(request.cwd, { recursive: true });
  } catch (error) {
    if (opening) void opening.then(destroyAll);
    send({ type: "failed", id, message: error instanceof Error ? error.message : String(error), cause: "workdir" });
    return;
  }
  let connected = opening ? await opening : undefined;
  // Eve may have closed connections opened ahead (a new helper started meanwhile): then open others.
  if (connected && !connected.every((result) => result.status === "fulfilled" && !result.value.destroyed)) {
    destroyAll(connected);
    connected = undefined;
  }
  connected ??= await openOutputs(request.output, id);
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
  // Unless a later request came meanwhile (it opened its own): then the next one is not known yet.
  if (lastId === id && ahead === undefined) ahead = { id: id + 1, outputs: openOutputs(request.output, id + 1) };
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
 * Best effort, as the directory may be going away: Eve's teardown kills the group it knows anyway (an
 * error: the reaper then finds the directory without this group). Synchronous: an append to the marker
 * file Eve made, a few bytes in its first block (no inode, no block to allocate), where the thread pool's
 * three round trips for it cost the helper more CPU than the calls, on every step.
 */
function recordGroup(file: string, pgid: number): void {
  try {
    appendFileSync(file, `${pgid}\n`);
  } catch {
    // Left to teardown, as above.
  }
}

function openOutputs(endpoint: OutputEndpoint, id: number): Outputs {
  return Promise.allSettled([connectOutput(endpoint, id, "stdout"), connectOutput(endpoint, id, "stderr")]);
}

function destroyAll(connected: PromiseSettledResult<Socket>[]): void {
  for (const result of connected) if (result.status === "fulfilled") result.value.destroy();
}

/** A connection to Eve's output socket, its header written: the step may write to it from now on. */
function connectOutput(endpoint: OutputEndpoint, id: number, stream: OutputStream): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint.path);
    socket.once("error", reject);
    socket.write(encodeOutputHeader(endpoint.key, id, stream), (error) => {
      if (error) reject(error);
      else {
        socket.off("error", reject);
        // Opened ahead, it may wait a while: if Eve closes it meanwhile, it ends (Eve sends nothing to read)
        // and is seen destroyed; an error then must not end the helper.
        socket.on("error", () => socket.destroy());
        socket.resume();
        resolve(socket);
      }
    });
  });
}
