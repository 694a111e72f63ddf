/**
 * The ways a user stops `eve run` — Ctrl-C, `kill` or `timeout` (SIGTERM), a
 * closed terminal (SIGHUP), a reader that stops reading (`eve run | head`) —
 * all cancel the build, so its steps are killed and its workers torn down.
 * Node's default for each would end Eve at once and leave containers, step
 * processes and builder directories behind.
 */
import { Writable } from "node:stream";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const SIGNAL_EXIT: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** What `eve run` writes its log to while a cancel is possible, and how to stop listening. */
export interface InterruptGuard {
  /** Stdout that never fails: once the reader is gone, output is dropped (and the build cancelled). */
  output: Writable;
  dispose(): void;
}

export function cancelOnInterrupt(controller: AbortController): InterruptGuard {
  const cancel = (why: string) => {
    if (!controller.signal.aborted) controller.abort(new Error(why));
  };
  let closed = false;
  const onOutputError = () => {
    closed = true;
    cancel("the output of eve run was closed");
  };
  const onSignal = (signal: (typeof SIGNALS)[number]) => {
    // A second signal while the cancel runs means "now".
    if (controller.signal.aborted) process.exit(SIGNAL_EXIT[signal]);
    const hint = signal === "SIGINT" ? "Ctrl-C again" : `${signal} again`;
    if (!closed) process.stderr.write(`\neve run: cancelling (${hint} to quit at once)\n`);
    cancel(signal === "SIGINT" ? "cancelled by the user" : `cancelled by ${signal}`);
  };
  process.stdout.on("error", onOutputError);
  process.stderr.on("error", onOutputError);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (closed) return done();
      // Errors reach onOutputError; this stream must still drain so the reporter never waits forever.
      process.stdout.write(chunk, () => done());
    },
  });
  return {
    output,
    dispose() {
      for (const signal of SIGNALS) process.off(signal, onSignal);
      // The error listeners stay: a late EPIPE must not turn a clean exit into a stack trace.
    },
  };
}
