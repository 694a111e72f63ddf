/**
 * What the Docker* steps get from the installation (reference §1.6): the
 * operator's Docker Engine, as Eve ran them on its master. Paths are relative
 * to the repository checkout on the Eve host and never leave it; builds of
 * one image are serialised; registry credentials come from the settings.
 */
export type DockerStepResult = { ok: true } | { ok: false; error: string };

export interface DockerBuildRequest {
  /** The checkout on the Eve host. */
  repoDir: string;
  /** Context directory, relative to the checkout. */
  contextDir: string;
  /** Dockerfile, relative to the checkout (default: `<contextDir>/Dockerfile`). */
  dockerfile: string | undefined;
  image: string;
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  noCache: boolean;
  onLine: (line: string) => void;
  signal: AbortSignal;
}

export interface DockerStepsAccess {
  build(request: DockerBuildRequest): Promise<DockerStepResult>;
  /** sha256 of the context's content (names, types, modes, bytes) and its Dockerfile. */
  fingerprint(repoDir: string, contextDir: string, dockerfile: string | undefined): Promise<{ ok: true; fingerprint: string } | { ok: false; error: string }>;
  /** Whether the engine has the image. */
  exists(image: string): Promise<boolean>;
  pull(image: string, onLine: (line: string) => void): Promise<DockerStepResult>;
  push(image: string, onLine: (line: string) => void): Promise<DockerStepResult>;
}
