/**
 * `usePTY` on this host: the command runs under util-linux `script`, which
 * gives it a real pseudo-terminal (isatty true, colours, line buffering) and
 * passes its exit code back (`-e`). Node has no pty without a native module
 * (node-pty must be compiled), and `script` is in every Debian.
 */
import { existsSync } from "node:fs";
import type { StepCommand } from "../types.js";

const SCRIPT = "/usr/bin/script";

export type PtyCommand = { ok: true; file: string; args: string[]; env: Record<string, string> } | { ok: false; message: string };

export function wrapInPty(command: StepCommand, env: Record<string, string>): PtyCommand {
  if (!existsSync(SCRIPT)) return { ok: false, message: `usePTY needs ${SCRIPT} (util-linux) on this host` };
  const line = "shell" in command ? command.shell : command.argv.map(shellQuote).join(" ");
  // script runs `$SHELL -c line`: the step's own SHELL if it set one, else sh as for a plain step.
  return { ok: true, file: SCRIPT, args: ["-q", "-e", "-f", "-c", line, "/dev/null"], env: { SHELL: "/bin/sh", ...env } };
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
