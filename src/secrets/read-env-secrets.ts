/**
 * The environment source: `EVE_SECRET_<NAME>=value` makes `%(secret:NAME)s`.
 * Handy for containers, where the orchestrator injects Kubernetes Secrets as
 * environment variables. The name keeps its case, as in the variable.
 */

export const ENV_SECRET_PREFIX = "EVE_SECRET_";

export function readEnvSecrets(env: NodeJS.ProcessEnv): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(ENV_SECRET_PREFIX) && key.length > ENV_SECRET_PREFIX.length && value !== undefined) {
      secrets.set(key.slice(ENV_SECRET_PREFIX.length), value);
    }
  }
  return secrets;
}
