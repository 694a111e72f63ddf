/**
 * Buildbot's worker substitutes `${NAME}` in step environment values with the
 * worker's own environment (so `PATH: "/opt/bin:${PATH}"` works).
 */
const REFERENCE = /\$\{([0-9a-zA-Z_]*)\}/g;

export function expandEnv(env: Record<string, string>, workerEnv: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    out[key] = value.includes("${") ? value.replace(REFERENCE, (_, name: string) => workerEnv[name] ?? "") : value;
  }
  return out;
}
