/**
 * Runs one step on a server over SSH with timeouts and cancel, the way
 * kube-exec.ts does it: the step runs under the pid-recording sh wrapper of
 * supervise-wrapped-exec.ts (sshd makes each session its own process group
 * leader), and a second channel kills that group, SIGTERM then SIGKILL. The
 * step's variables go through `env`, over the login environment.
 */
import { killStepCommand, pumpOutputStreams, superviseWrappedExec, wrapStepCommand } from "../supervise-wrapped-exec.js";
import type { ExecOptions, ExecResult, StepCommand } from "../types.js";
import type { SshConnection } from "./ssh-connection.js";

export async function runSshStep(connection: SshConnection, pidFile: string, command: StepCommand, options: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
  const handle = await connection.exec(["env", ...env, ...wrapStepCommand(command, pidFile, options.workdir)], options.usePty);
  const supervisor = superviseWrappedExec(options, {
    signalStep: (signal) => signalStep(connection, pidFile, signal),
    abandonOutput: () => handle.close(),
  });
  try {
    await pumpOutputStreams(handle, supervisor.onOutput);
    const exitCode = await handle.done;
    return { exitCode: supervisor.killedBy ? null : exitCode, killedBy: supervisor.killedBy, durationMs: Date.now() - started };
  } finally {
    supervisor.dispose();
  }
}

async function signalStep(connection: SshConnection, pidFile: string, signal: "TERM" | "KILL"): Promise<void> {
  try {
    await connection.run(killStepCommand(pidFile, signal));
  } catch {
    // The server may already be gone (teardown raced the kill): nothing left to signal.
  }
}
