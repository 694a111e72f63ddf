/**
 * Runs a small command of Eve's own in a stage's workspace and keeps its
 * stdout out of the stage log (reading a report, `/etc/os-release`, a log
 * file): works the same on every worker type, since it only needs exec.
 * At most `maxBytes` of stdout are kept; `truncated` says there was more.
 */
import type { StepCommand, Workspace } from "../provisioners/types.js";

export interface WorkerOutput {
  exitCode: number | null;
  stdout: Buffer;
  truncated: boolean;
}

export interface ReadWorkerOutputOptions {
  workdir: string;
  maxBytes: number;
  signal: AbortSignal;
  /** Kill after this long in total (default 60 s). */
  timeoutMs?: number;
}

export async function readWorkerOutput(workspace: Workspace, command: StepCommand, options: ReadWorkerOutputOptions): Promise<WorkerOutput> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const run = await workspace.exec(command, {
    workdir: options.workdir,
    env: {},
    timeoutMs,
    maxTimeMs: timeoutMs,
    killGraceMs: 1000,
    usePty: false,
    signal: options.signal,
    onOutput: (chunk, stream) => {
      if (stream !== "stdout") return;
      const room = options.maxBytes - size;
      if (chunk.length > room) truncated = true;
      if (room <= 0) return;
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(Buffer.from(kept));
      size += kept.length;
    },
  });
  return { exitCode: run.exitCode, stdout: Buffer.concat(chunks), truncated };
}
