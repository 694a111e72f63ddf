/**
 * A TMPDIR of its own for the `eve` processes a test file starts, removed
 * after the file. `eve run` makes `<tmpdir>/eve-workspaces`
 * (DEFAULT_LOCAL_BASE_DIR) for its builder directories and keeps its
 * artifacts folder and build number there for the next run
 * (docs/artifacts.md): a user's runs share it, a test file's must not leave
 * it in the test run's TMPDIR.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

export interface EveTmpdir {
  readonly dir: string;
  /** `<dir>/eve-workspaces`: where `eve run` makes builder directories, and `eve reap` looks for them. */
  readonly workspaces: string;
  /** process.env with TMPDIR set to `dir`, and `extra` over it: the environment of an `eve` process. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

export function useEveTmpdir(): EveTmpdir {
  const dir = mkdtempSync(join(tmpdir(), "eve-cli-tmp-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    workspaces: join(dir, "eve-workspaces"),
    env: (extra = {}) => ({ ...process.env, TMPDIR: dir, ...extra }),
  };
}
