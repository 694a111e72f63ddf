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

/** A started sandboxed process, waiting for its input; used once. */
export interface SandboxedNode {
  /** Sends the input (once) and resolves when the process has ended. */
  run(input: SandboxedNodeInput): Promise<SandboxedNodeResult>;
  /** Ends a process that will not be used. */
  kill(): void;
  /** False once the process has ended (a spare that died is not used). */
  readonly alive: boolean;
}

export type SandboxedNodeProcess = Pick<SandboxedNodeOptions, "entry" | "readable" | "maxHeapMb">;
export type SandboxedNodeInput = Pick<SandboxedNodeOptions, "stdin" | "timeoutMs" | "maxStdoutBytes">;

export function runSandboxedNode(options: SandboxedNodeOptions): Promise<SandboxedNodeResult> {
  return startSandboxedNode(options).run(options);
}

/**
 * Starts the process; it loads its code and waits for its input on stdin. It
 * does not hold the event loop open until `run` (a spare started ahead must
 * not keep `eve run` from exiting); if Eve dies, its stdin closes and it exits.
 */
export function startSandboxedNode(options: SandboxedNodeProcess): SandboxedNode {
  const args = [
    PERMISSION_FLAG,
    ...options.readable.map((path) => `--allow-fs-read=${path}`),
    "--no-warnings",
    `--max-old-space-size=${options.maxHeapMb}`,
    "--max-semi-space-size=4",
    options.entry,
  ];
  const child = spawn(process.execPath, args, { env: {}, stdio: ["pipe", "pipe", "pipe"] });
  // At run time the pipes are sockets, which can be unref'd like the process.
  const handles = [child, child.stdin, child.stdout, child.stderr] as unknown as { ref(): void; unref(): void }[];
  for (const handle of handles) handle.unref();
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let stdoutBytes = 0;
  let stderrBytes = 0;
  let maxStdoutBytes = Number.POSITIVE_INFINITY;
  let stopped: SandboxedNodeResult["stopped"];
  const stop = (why: NonNullable<SandboxedNodeResult["stopped"]>): void => {
    stopped ??= why;
    child.kill("SIGKILL");
  };
  child.stdout.on("data", (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (stdoutBytes > maxStdoutBytes) stop("output");
    else stdout.push(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderrBytes < MAX_STDERR_BYTES) stderr.push(chunk);
    stderrBytes += chunk.length;
  });
  // A child that dies early closes its stdin: the write error is its exit, reported by close.
  child.stdin.on("error", () => undefined);
  let alive = true;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  void ended.then(() => (alive = false));
  return {
    async run(input) {
      for (const handle of handles) handle.ref();
      maxStdoutBytes = input.maxStdoutBytes;
      const timer = setTimeout(() => stop("timeout"), input.timeoutMs);
      child.stdin.end(input.stdin);
      const { code, signal, error } = await ended;
      clearTimeout(timer);
      const result: SandboxedNodeResult = { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8").slice(0, MAX_STDERR_BYTES), code, signal };
      return { ...result, ...(stopped ? { stopped } : {}), ...(error ? { error } : {}) };
    },
    kill() {
      child.kill("SIGKILL");
    },
    get alive() {
      return alive;
    },
  };
}
