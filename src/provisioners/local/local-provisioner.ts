/**
 * `type: local`: steps run on the Eve host, in an empty builder directory per
 * stage run. Each step gets its own process group and a clean, explicit
 * environment; teardown kills whatever is left in those groups and empties
 * the directory (kept for a later stage run: builder-dirs.ts).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkerSpec } from "../../buildfile/types.js";
import { ProvisionError, type ExecOptions, type ExecResult, type Provisioner, type ResourceLabels, type SpawnContext, type StepCommand, type Workspace } from "../types.js";
import { LOCAL_MARKER_FILE } from "./builder-marker.js";
import { BuilderDirs } from "./builder-dirs.js";
import { expandEnv } from "./expand-env.js";
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
  readonly #dirs: BuilderDirs;

  constructor(options: LocalProvisionerOptions = {}) {
    this.baseDir = options.baseDir ?? DEFAULT_LOCAL_BASE_DIR;
    this.path = options.path ?? process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
    this.#dirs = new BuilderDirs(this.baseDir);
  }

  async spawn(_spec: WorkerSpec, context: SpawnContext): Promise<Workspace> {
    try {
      return new LocalWorkspace(this.#dirs.take(context.labels), this.#dirs, context.labels, this.path);
    } catch (error) {
      throw new ProvisionError(`cannot create a local builder directory under ${this.baseDir}`, { cause: error });
    }
  }

  /** Removes the empty builder directories kept for the next stages. */
  close(): Promise<void> {
    return this.#dirs.close();
  }
}

class LocalWorkspace implements Workspace {
  readonly id: string;
  readonly builderDir: string;
  readonly onEveHost = true;
  private readonly path: string;
  private readonly dirs: BuilderDirs;
  private readonly instance: string;
  private readonly groups = new Set<number>();
  private tornDown: Promise<void> | undefined;

  constructor(builderDir: string, dirs: BuilderDirs, labels: ResourceLabels, path: string) {
    this.id = `local-${labels.run}`;
    this.builderDir = builderDir;
    this.dirs = dirs;
    this.instance = labels.instance;
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
      await this.dirs.release(this.builderDir, this.instance);
    } catch (error) {
      throw new ProvisionError(`cannot remove ${this.builderDir}`, { cause: error });
    }
  }
}

