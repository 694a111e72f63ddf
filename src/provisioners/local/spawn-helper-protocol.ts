/**
 * Between Eve and its spawn helper process (spawn-helper.ts, spawn-helper-child.ts): requests and
 * replies go over the IPC channel; a step's output does not go through the helper at all. The helper
 * connects the step's stdout and stderr to Eve's output socket, each connection opened by a header
 * (the key of this helper, the request's id, the stream), so the step writes to Eve directly. The
 * helper opens the connections of the next request id before the request comes; Eve holds those.
 */
import { timingSafeEqual } from "node:crypto";
import type { OutputStream } from "../types.js";

/** Where the step's output goes: Eve's socket, and the secret that proves a connection is the helper's. */
export interface OutputEndpoint {
  path: string;
  /** Hex. Other local users can connect to the socket; without the key they are dropped. */
  key: string;
}

/**
 * Starts `file` with `args` in its own process group, in `cwd` (created first if missing), stdout and
 * stderr connected to `output`.
 */
export interface SpawnRequest {
  type: "spawn";
  id: number;
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  output: OutputEndpoint;
  /**
   * A file to append the process group id to (one per line) as soon as it exists: the reaper's
   * record of steps that may outlive Eve, written by the helper so that Eve's thread makes no file
   * system calls for it.
   */
  groupsFile?: string;
}

export type HelperRequest = SpawnRequest;

/** Why a process did not start: its workdir, or anything after (connecting its output, exec). */
export type SpawnFailure = "workdir" | "start";

export type HelperReply =
  | { type: "started"; id: number; pid: number }
  /** The process could not start: its workdir could not be created, or the program not run (e.g. ENOENT); nothing follows. */
  | { type: "failed"; id: number; message: string; cause: SpawnFailure }
  /** The process exited; its output connections end when every process holding them has closed them. */
  | { type: "closed"; id: number; code: number | null };

export const OUTPUT_KEY_BYTES = 32;
/** Key, request id (uint32), stream (0 stdout, 1 stderr). */
export const OUTPUT_HEADER_BYTES = OUTPUT_KEY_BYTES + 5;

export function encodeOutputHeader(key: string, id: number, stream: OutputStream): Buffer {
  const header = Buffer.alloc(OUTPUT_HEADER_BYTES);
  header.write(key, "hex");
  header.writeUInt32BE(id, OUTPUT_KEY_BYTES);
  header[OUTPUT_KEY_BYTES + 4] = stream === "stdout" ? 0 : 1;
  return header;
}

/** The request and stream a connection's header names, or undefined if it is not the helper's. */
export function decodeOutputHeader(header: Buffer, key: Buffer): { id: number; stream: OutputStream } | undefined {
  if (header.length !== OUTPUT_HEADER_BYTES || !timingSafeEqual(header.subarray(0, OUTPUT_KEY_BYTES), key)) return undefined;
  const stream = header[OUTPUT_KEY_BYTES + 4];
  if (stream !== 0 && stream !== 1) return undefined;
  return { id: header.readUInt32BE(OUTPUT_KEY_BYTES), stream: stream === 0 ? "stdout" : "stderr" };
}
