/**
 * Runs one step on a server over SSH with timeouts and cancel, the way
 * kube-exec.ts does it: the step runs under the pid-recording sh wrapper of
 * supervise-wrapped-exec.ts (sshd makes each session its own process group
 * leader), and a second channel kills that group, SIGTERM then SIGKILL. The
 * step's variables go through `env`, over the login environment.
 */
import { killStepCommand, superviseWrappedExec, wrapStepCommand } from "../supervise-wrapped-exec.js";
import type { ExecOptions, ExecResult, OutputStream, StepCommand } from "../types.js";
import type { SshConnection, SshExecHandle } from "./ssh-connection.js";

export async function runSshStep(connection: SshConnection, pidFile: string, command: StepCommand, options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
  const handle = await connection.exec(["env", ...env, ...wrapStepCommand(command, pidFile, options.workdir)], options.usePty);
  const supervisor = superviseWrappedExec(options, {
    signalStep: (signal) => signalStep(connection, pidFile, signal),
    abandonOutput: () => handle.close(),
  });
  try {
    await pumpOutput(handle, supervisor.onOutput);
    const exitCode = await handle.done;
    return { exitCode: supervisor.killedBy ? null : exitCode, killedBy: supervisor.killedBy, durationMs: Date.now() - started };
  } finally {
    supervisor.dispose();
  }
}

/** Both streams, each chunk delivered before the next is read (the sink may ask to wait). */
async function pumpOutput(handle: SshExecHandle, sink: (chunk: Buffer, stream: OutputStream) => Promise<void>): Promise<void> {
  let queue = Promise.resolve();
  const pump = async (stream: NodeJS.ReadableStream, name: OutputStream): Promise<void> => {
    for await (const chunk of stream) {
      const next = queue.then(() => sink(chunk as Buffer, name));
      queue = next;
      await next;
    }
  };
  await Promise.all([pump(handle.stdout, "stdout"), pump(handle.stderr, "stderr")]);
}

async function signalStep(connection: SshConnection, pidFile: string, signal: "TERM" | "KILL"): Promise<void> {
  try {
    await connection.run(killStepCommand(pidFile, signal));
  } catch {
    // The server may already be gone (teardown raced the kill): nothing left to signal.
  }
}
