/**
 * The plain types of the Docker client: what the rest of Eve passes to it
 * and gets back, with nothing of dockerode in them.
 */
import type { Duplex } from "node:stream";

export interface BuildImageOptions {
  tag: string;
  /** Path of the Dockerfile inside the context archive. */
  dockerfile: string;
  noCache: boolean;
  /** `--build-arg` values. */
  buildArgs?: Record<string, string>;
  /** `--label` values. */
  labels?: Record<string, string>;
  /** Each line of the build's own output. */
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

/** A build either produced an image or failed with the builder's message. */
export type BuildImageResult = { ok: true; imageId: string } | { ok: false; error: string; lastLayerId: string | undefined };

export interface ImageInfo {
  id: string;
  tags: string[];
  labels: Record<string, string>;
  /** When the image was last tagged (Eve re-tags on every use), or created. */
  lastUsed: Date;
}

export interface ContainerSummary {
  id: string;
  name: string;
  state: string;
  labels: Record<string, string>;
}

export interface MountSpec {
  type: "volume" | "bind";
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  entrypoint: string[];
  memoryBytes: number;
  nanoCpus: number;
  networkMode: string;
  privileged: boolean;
  mounts: MountSpec[];
  /** Container paths that get anonymous volumes (removed with the container). */
  anonymousVolumes: string[];
}

export interface ExecSpec {
  cmd: string[];
  env: string[];
  tty: boolean;
}

/** A started exec: its raw output (multiplexed unless tty) and its state. */
export interface ExecHandle {
  output: Duplex;
  /** `pid`: the exec's process as the engine's host sees it (0 once it is over). */
  inspect(): Promise<{ running: boolean; exitCode: number | null; pid: number }>;
}

/** Credentials for one registry, as the engine's X-Registry-Auth takes them. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}
