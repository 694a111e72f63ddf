/**
 * The spawn helper's own process (see spawn-helper.ts): a small Node process
 * that starts step processes for Eve and relays their output over its IPC
 * channel. It exits with its parent (the channel closes); the steps, each in
 * its own process group, are left to Eve's teardown and reaper as before.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { OutputStream } from "../types.js";
import type { HelperReply, HelperRequest, SpawnRequest } from "./spawn-helper-protocol.js";

/**
 * Output messages of one step not yet written to Eve (≤ 256 KB) beyond which its pipes wait: Eve may be
 * slower than the step. Chunks in flight survive young-generation collections in Eve, so more of them
 * made its old space creep by ~40 MB over a 1 GB log (bench/log-memory.js) for no gain in throughput.
 */
const MAX_UNSENT = 4;

interface Step {
  child: ChildProcess;
  /** Eve asked to pause (its log store is catching up). */
  held: boolean;
  unsent: number;
}

const steps = new Map<number, Step>();
const send = (reply: HelperReply, sent?: () => void) => process.send?.(reply, undefined, {}, sent);

process.on("message", (request: HelperRequest) => {
  if (request.type === "spawn") return start(request);
  const step = steps.get(request.id);
  if (!step) return;
  step.held = request.type === "pause";
  flow(step);
});
process.on("disconnect", () => process.exit(0));

function start(request: SpawnRequest): void {
  const { id } = request;
  const child = spawn(request.file, request.args, { cwd: request.cwd, env: request.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const step: Step = { child, held: false, unsent: 0 };
  steps.set(id, step);
  if (child.pid !== undefined) send({ type: "started", id, pid: child.pid });
  const relay = (stream: OutputStream) => (data: Buffer) => {
    step.unsent++;
    send({ type: "output", id, stream, data }, () => {
      step.unsent--;
      flow(step);
    });
    flow(step);
  };
  child.stdout.on("data", relay("stdout"));
  child.stderr.on("data", relay("stderr"));
  let failed = false;
  child.on("error", (error) => {
    failed = true;
    steps.delete(id);
    send({ type: "failed", id, message: error.message });
  });
  child.on("close", (code) => {
    steps.delete(id);
    if (!failed) send({ type: "closed", id, code });
  });
}

/** A step's pipes are read while Eve is not holding it and its output is not piling up here. */
function flow(step: Step): void {
  const go = !step.held && step.unsent < MAX_UNSENT;
  for (const stream of [step.child.stdout, step.child.stderr]) {
    if (go) stream?.resume();
    else stream?.pause();
  }
}
