/**
 * Reads settings from an environment the way every Eve setting is read: blank
 * is unset, and a bad value adds one message naming the setting (then the
 * fallback is used, so every other setting is still checked).
 */

export interface EnvReader {
  /** The trimmed value; undefined when unset or blank. */
  read(name: string): string | undefined;
  /** A whole number ≥ min; the fallback when unset. */
  integer(name: string, fallback: number, min: number): number;
  /** on/off (also true/false, yes/no, 1/0); the fallback when unset. */
  flag(name: string, fallback: boolean): boolean;
  /** The same reader, reporting nothing: for a setting another module reads too, and reports. */
  silent(): EnvReader;
}

export function createEnvReader(env: NodeJS.ProcessEnv, errors: string[]): EnvReader {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  return {
    read,
    integer(name, fallback, min) {
      const raw = read(name);
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(raw) || Number(raw) < min) {
        errors.push(`${name}=${raw}: expected a whole number ≥ ${min}`);
        return fallback;
      }
      return Number(raw);
    },
    flag(name, fallback) {
      const raw = read(name)?.toLowerCase();
      if (raw === undefined) return fallback;
      if (["on", "true", "yes", "1"].includes(raw)) return true;
      if (["off", "false", "no", "0"].includes(raw)) return false;
      errors.push(`${name}=${raw}: expected on or off`);
      return fallback;
    },
    silent: () => createEnvReader(env, []),
  };
}
