/**
 * `type: local`: steps run on the Eve host, in a fresh builder directory per
 * stage run. Each step gets its own process group and a clean, explicit
 * environment; teardown kills whatever is left in those groups and removes
 * the directory.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkerSpec } from "../../buildfile/types.js";
import { DEFAULT_WORKDIR, ProvisionError, type ExecOptions, type ExecResult, type Provisioner, type ResourceLabels, type SpawnContext, type StepCommand, type Workspace } from "../types.js";
import { formatMarker, LOCAL_MARKER_FILE } from "./builder-marker.js";
import { expandEnv } from "./expand-env.js";
import { removeExpectedTree } from "./remove-tree.js";
import { runProcess, signalGroup } from "./run-process.js";

/** Where builder directories go unless the operator says otherwise. */
export const DEFAULT_LOCAL_BASE_DIR = join(tmpdir(), "eve-workspaces");

export interface LocalProvisionerOptions {
  /** Where builder directories are created; default `<tmpdir>/eve-workspaces`. */
  baseDir?: string;
  /** PATH given to steps; default Eve's own PATH. */
  path?: string;
}

export class LocalProvisioner implements Provisioner {
  readonly type = "local" as const;
  readonly baseDir: string;
  private readonly path: string;

  constructor(options: LocalProvisionerOptions = {}) {
    this.baseDir = options.baseDir ?? DEFAULT_LOCAL_BASE_DIR;
    this.path = options.path ?? process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  }

  async spawn(_spec: WorkerSpec, context: SpawnContext): Promise<Workspace> {
    try {
      const dir = createLabelledDir(this.baseDir, context.labels);
      return new LocalWorkspace(dir, context.labels, this.path);
    } catch (error) {
      throw new ProvisionError(`cannot create a local builder directory under ${this.baseDir}`, { cause: error });
    }
  }

}

/**
 * A new directory under `baseDir` with the marker file the reaper finds it by.
 * The base directory is created when missing (at first, or after an operator
 * removed it), not checked every time. Synchronous: three small calls, where
 * the thread pool they would wait for is the one a fan-out floods with its
 * stages' logs (the first stages of a 50-stage trigger waited ~40 ms there).
 * The spawn helper appends each step's process group to the marker.
 */
export function createLabelledDir(baseDir: string, labels: ResourceLabels): string {
  const prefix = join(baseDir, `${safeName(labels.run)}-`);
  let dir: string;
  try {
    dir = mkdtempSync(prefix);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(baseDir, { recursive: true });
    dir = mkdtempSync(prefix);
  }
  writeFileSync(join(dir, LOCAL_MARKER_FILE), formatMarker(labels));
  return dir;
}

class LocalWorkspace implements Workspace {
  readonly id: string;
  readonly builderDir: string;
  readonly onEveHost = true;
  private readonly path: string;
  private readonly groups = new Set<number>();
  private tornDown: Promise<void> | undefined;

  constructor(builderDir: string, labels: ResourceLabels, path: string) {
    this.id = `local-${labels.run}`;
    this.builderDir = builderDir;
    this.path = path;
  }

  async exec(command: StepCommand, options: ExecOptions): Promise<ExecResult> {
    if (this.tornDown) throw new ProvisionError(`workspace ${this.id} is torn down`);
    const base = { PATH: this.path, HOME: this.builderDir, LANG: process.env.LANG ?? "C.UTF-8" };
    return runProcess(command, {
      ...options,
      env: { ...base, ...expandEnv(options.env, base) },
      onGroup: (pgid) => this.groups.add(pgid),
      // Steps outlive a killed Eve (their own process groups): the helper leaves their ids for the reaper.
      groupsFile: join(this.builderDir, LOCAL_MARKER_FILE),
    });
  }

  teardown(): Promise<void> {
    this.tornDown ??= this.removeAll();
    return this.tornDown;
  }

  private async removeAll(): Promise<void> {
    for (const pgid of this.groups) signalGroup(pgid, "SIGKILL");
    this.groups.clear();
    try {
      await removeExpectedTree(this.builderDir, [LOCAL_MARKER_FILE], [DEFAULT_WORKDIR]);
    } catch (error) {
      throw new ProvisionError(`cannot remove ${this.builderDir}`, { cause: error });
    }
  }
}

function safeName(run: string): string {
  return run.replace(/[^\w.-]/g, "_").slice(0, 80) || "run";
}
