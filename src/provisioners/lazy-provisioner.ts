/**
 * A provisioner whose implementation, and the SDK behind it, is imported on
 * first use. The Kubernetes client alone costs about 0.5 s and 70 MB when
 * imported, which every `eve run` and every worker process without stages
 * of that type would otherwise pay.
 */
import type { WorkerSpec, WorkerType } from "../buildfile/types.js";
import type { Provisioner, SpawnContext, Workspace } from "./types.js";

export class LazyProvisioner<T extends Provisioner> implements Provisioner {
  readonly type: WorkerType;
  /** Readiness (`/readyz`) of a back-end the real provisioner can ping: present only when it can. */
  readonly ping?: () => Promise<void>;
  readonly #load: () => Promise<T>;
  #loading: Promise<T> | undefined;

  constructor(type: WorkerType, load: () => Promise<T>, options: { pings?: boolean } = {}) {
    this.type = type;
    this.#load = load;
    if (options.pings) this.ping = async () => (await this.get()).ping?.();
  }

  /** The real provisioner, imported and built once. */
  get(): Promise<T> {
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async spawn(spec: WorkerSpec, context: SpawnContext): Promise<Workspace> {
    return (await this.get()).spawn(spec, context);
  }
}
