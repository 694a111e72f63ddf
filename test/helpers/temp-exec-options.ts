/**
 * For the local process tests: ExecOptions for a step in a fresh temp
 * workdir (removed by `cleanup`), its output decoded to `onText`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecOptions } from "../../src/provisioners/types.js";

export function createTempExecOptions(prefix: string): { options: (onText: (text: string) => void) => ExecOptions; cleanup: () => void } {
  const dirs: string[] = [];
  return {
    options(onText) {
      const workdir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(workdir);
      return {
        workdir,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        timeoutMs: 10_000,
        maxTimeMs: 10_000,
        killGraceMs: 1_000,
        usePty: false,
        onOutput: (chunk) => {
          onText(chunk.toString());
        },
        signal: new AbortController().signal,
      };
    },
    cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
