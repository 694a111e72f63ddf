/** Messages between Eve and its spawn helper process (spawn-helper.ts, spawn-helper-child.ts). */
import type { OutputStream } from "../types.js";

/** Starts `file` with `args` in its own process group, stdout and stderr piped. */
export interface SpawnRequest {
  type: "spawn";
  id: number;
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Backpressure: stop or go on reading a process's output. */
export interface FlowRequest {
  type: "pause" | "resume";
  id: number;
}

export type HelperRequest = SpawnRequest | FlowRequest;

export type HelperReply =
  | { type: "started"; id: number; pid: number }
  | { type: "output"; id: number; stream: OutputStream; data: Uint8Array }
  /** The process could not start (e.g. ENOENT); nothing follows. */
  | { type: "failed"; id: number; message: string }
  /** The process exited and its pipes are closed; nothing follows. */
  | { type: "closed"; id: number; code: number | null };
