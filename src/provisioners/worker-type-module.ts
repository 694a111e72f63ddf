/**
 * What Eve knows about one worker type, in one object exported from the
 * type's own folder (`src/provisioners/<type>/<type>-worker-type.ts`), as a
 * testcontainers module is one class: its settings, its provisioner, its
 * sweeper, what it needs of the build, whether forks may use it, its rules
 * for the `worker:` block. `worker-types.ts` lists the modules; nothing else
 * in the code names a worker type. See "Adding a worker type" in
 * docs/architecture.md.
 */
import type { WorkerRule } from "../buildfile/rule-problem.js";
import type { WorkerSpec } from "../buildfile/types.js";
import type { EnvReader } from "../config/env-reader.js";
import type { Setting } from "../config/setting.js";
import type { OrphanSweeper } from "./reaper.js";
import type { Provisioner } from "./types.js";

/** What a provisioner or sweeper gets from the process that creates it. */
export interface WorkerContext {
  /**
   * Where workers that live on this host keep their directories (the app:
   * `<EVE_WORKSPACE_DIR>/workers`); undefined: the type's own default.
   */
  workersDir?: string;
}

/**
 * One worker type. `Settings` is the type's own settings object, read from
 * the environment by `loadSettings` and handed back, as read, to the other
 * methods (method syntax on purpose: a module of any `Settings` is a
 * `WorkerTypeModule` in the registry's list).
 */
export interface WorkerTypeModule<Settings = unknown> {
  /** The `type:` of a `worker:` block; also the name of its queue and its EVE_WORKER_TYPES entry. */
  readonly type: string;
  /** Taken by a process whose EVE_WORKER_TYPES is unset. */
  readonly enabledByDefault: boolean;
  /** Stages of this type one worker process runs at once by default (EVE_MAX_<TYPE>_WORKERS). */
  readonly defaultCapacity: number;
  /** Builds of pull requests from forks: refused by default (EVE_TRUSTED_ONLY_WORKERS), and a hint for the operator. */
  readonly forks: { readonly trustedOnly: boolean; readonly note?: string };
  /** Its own environment settings: rows of the settings table (docs/configuration.md). */
  readonly settings: readonly Setting[];
  /** Reads its settings; a bad value adds one message naming the setting to `errors`. */
  loadSettings(env: EnvReader, errors: string[]): Settings;
  /** Why a process cannot run this type with these settings (a cluster it cannot reach); empty when it can. */
  getProblems?(settings: Settings): string[];
  /** Credentials among the settings, for the log scrubber. */
  getSecrets?(settings: Settings): string[];
  /**
   * Its provisioner. Without one, a build file may still name the type: every
   * worker process takes its stages and the engine ends them at once with
   * "this Eve has no '<type>' workers". Import heavy SDKs lazily (LazyProvisioner).
   */
  createProvisioner?(settings: Settings, context: WorkerContext): Provisioner;
  /** The reaper's sweepers of what dead stage runs of this type left (labelled containers, pods, VMs, directories). */
  createSweepers?(settings: Settings, context: WorkerContext): Promise<OrphanSweeper[]>;
  /** Whether a stage on this worker reads files of the repository on the Eve host (an image context, a template). */
  needsCheckout(spec: WorkerSpec): boolean;
  /** Cross-field rules of its `worker:` block, beyond its schema fragment and the common `path` rule (pure: `eve lint` runs them). */
  readonly checkWorker?: WorkerRule;
}
