/**
 * The spawn helper's own process (see spawn-helper.ts): a small Node process
 * that starts step processes for Eve and relays their output over its IPC
 * channel. It exits with its parent (the channel closes); the steps, each in
 * its own process group, are left to Eve's teardown and reaper as before.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { HelperReply, HelperRequest, SpawnRequest } from "./spawn-helper-protocol.js";

const children = new Map<number, ChildProcess>();
const send = (reply: HelperReply) => process.send?.(reply);

process.on("message", (request: HelperRequest) => {
  if (request.type === "spawn") return start(request);
  const child = children.get(request.id);
  for (const stream of [child?.stdout, child?.stderr]) {
    if (request.type === "pause") stream?.pause();
    else stream?.resume();
  }
});
process.on("disconnect", () => process.exit(0));

function start(request: SpawnRequest): void {
  const { id } = request;
  const child = spawn(request.file, request.args, { cwd: request.cwd, env: request.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.set(id, child);
  if (child.pid !== undefined) send({ type: "started", id, pid: child.pid });
  child.stdout.on("data", (data: Buffer) => send({ type: "output", id, stream: "stdout", data }));
  child.stderr.on("data", (data: Buffer) => send({ type: "output", id, stream: "stderr", data }));
  let failed = false;
  child.on("error", (error) => {
    failed = true;
    children.delete(id);
    send({ type: "failed", id, message: error.message });
  });
  child.on("close", (code) => {
    children.delete(id);
    if (!failed) send({ type: "closed", id, code });
  });
}
