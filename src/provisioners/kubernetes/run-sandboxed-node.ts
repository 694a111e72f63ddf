/**
 * Runs one short-lived `node` process that Eve does not trust: spawned (not
 * forked, so it holds nothing of Eve's memory), with an empty environment,
 * Node's permission model (it reads only the paths given, writes nothing,
 * starts no process, thread or native addon), a small heap, a deadline and a
 * bound on what it writes back. Input goes in on stdin, the reply comes out on
 * stdout. The network is not restricted by Node's permission model: what runs
 * here must hold nothing worth sending (the pod template renderer holds only
 * the template and its vars, which the build file already shows).
 */
import { spawn } from "node:child_process";

export interface SandboxedNodeOptions {
  /** The entry module. */
  entry: string;
  /** Files and directories (ending in /) it may read. */
  readable: readonly string[];
  stdin: string;
  timeoutMs: number;
  maxHeapMb: number;
  /** Stdout beyond this kills the process. */
  maxStdoutBytes: number;
}

export interface SandboxedNodeResult {
  stdout: string;
  /** The first 4 KiB of stderr. */
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why Eve stopped it, when it did. */
  stopped?: "timeout" | "output";
  /** The process could not start. */
  error?: Error;
}

const MAX_STDERR_BYTES = 4096;
/** Node 20 names it --experimental-permission; later versions --permission. */
const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has("--permission") ? "--permission" : "--experimental-permission";

export function runSandboxedNode(options: SandboxedNodeOptions): Promise<SandboxedNodeResult> {
  const args = [
    PERMISSION_FLAG,
    ...options.readable.map((path) => `--allow-fs-read=${path}`),
    "--no-warnings",
    `--max-old-space-size=${options.maxHeapMb}`,
    "--max-semi-space-size=4",
    options.entry,
  ];
  const child = spawn(process.execPath, args, { env: {}, stdio: ["pipe", "pipe", "pipe"] });
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let stopped: SandboxedNodeResult["stopped"];
    const stop = (why: NonNullable<SandboxedNodeResult["stopped"]>): void => {
      stopped ??= why;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxStdoutBytes) stop("output");
      else stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderrBytes < MAX_STDERR_BYTES) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      clearTimeout(timer);
      const result: SandboxedNodeResult = { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8").slice(0, MAX_STDERR_BYTES), code, signal };
      resolve({ ...result, ...(stopped ? { stopped } : {}), ...(error ? { error } : {}) });
    };
    child.once("error", (error) => finish(null, null, error));
    child.once("close", (code, signal) => finish(code, signal));
    // A child that dies early closes its stdin: the write error is its exit, reported by close.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin);
  });
}
