/**
 * The parameters every step shares (Buildbot's common parameters plus the
 * shell ones), read from a step's interpolated params with Python's rules:
 * flags use truthiness (so the string 'False' is true, as it was in Eve),
 * durations are cast with int() and capped by the operator's maximum.
 */
import { pythonStr, pythonTruthy } from "../buildfile/python-values.js";
import type { ResultFlags } from "./compute-result.js";
import type { EngineSettings } from "./types.js";

export interface StepOptions extends ResultFlags {
  alwaysRun: boolean;
  /** Kill after this long without output. */
  timeoutMs: number;
  /** Kill after this long in total. */
  maxTimeMs: number;
  /** Grace between SIGTERM and SIGKILL (`sigtermTime`). */
  killGraceMs: number;
  /** The step's `env`, values as strings (lists joined with ':', as Buildbot's worker does). */
  env: Record<string, string>;
  /** `workdir` as written (relative to the builder directory unless absolute). */
  workdir: string | undefined;
  usePty: boolean;
}

/** A step parameter is unusable: the step ends in `exception` with this message. */
export class StepConfigError extends Error {
  override readonly name = "StepConfigError";
}

/** Buildbot's defaults. */
export const DEFAULT_RESULT_FLAGS: ResultFlags = {
  haltOnFailure: false,
  flunkOnFailure: true,
  warnOnFailure: false,
  flunkOnWarnings: false,
  warnOnWarnings: false,
};

export function readStepOptions(params: Record<string, unknown>, settings: EngineSettings, defaults: ResultFlags = DEFAULT_RESULT_FLAGS): StepOptions {
  const flag = (name: keyof ResultFlags | "alwaysRun" | "usePTY", fallback: boolean) =>
    Object.hasOwn(params, name) ? pythonTruthy(params[name]) : fallback;
  const max = settings.maxStepDurationSec;
  const timeout = seconds(params, "timeout", settings.defaultTimeoutSec, max);
  const maxTime = seconds(params, "maxTime", max, max);
  const grace = Object.hasOwn(params, "sigtermTime") && params.sigtermTime !== null ? toInt(params.sigtermTime, "sigtermTime") : settings.killGraceSec;
  const workdir = params.workdir;
  if (workdir !== undefined && workdir !== null && typeof workdir !== "string") throw new StepConfigError(`workdir must be a string, not ${pythonStr(workdir)}`);
  return {
    haltOnFailure: flag("haltOnFailure", defaults.haltOnFailure),
    flunkOnFailure: flag("flunkOnFailure", defaults.flunkOnFailure),
    warnOnFailure: flag("warnOnFailure", defaults.warnOnFailure),
    flunkOnWarnings: flag("flunkOnWarnings", defaults.flunkOnWarnings),
    warnOnWarnings: flag("warnOnWarnings", defaults.warnOnWarnings),
    alwaysRun: flag("alwaysRun", false),
    usePty: flag("usePTY", false),
    timeoutMs: timeout * 1000,
    maxTimeMs: maxTime * 1000,
    killGraceMs: Math.max(0, grace) * 1000,
    env: readEnv(params.env),
    workdir: typeof workdir === "string" && workdir !== "" ? workdir : undefined,
  };
}

/** `timeout`/`maxTime`: int seconds; None means no limit, i.e. the maximum; above the maximum is an error (Eve). */
function seconds(params: Record<string, unknown>, name: string, fallback: number, max: number): number {
  if (!Object.hasOwn(params, name)) return fallback;
  const raw = params[name];
  if (raw === null) return max;
  const value = toInt(raw, name);
  if (value > max) throw new StepConfigError(`${name} ${value} s is over the maximum step duration (${max} s)`);
  if (value <= 0) throw new StepConfigError(`${name} must be a positive number of seconds, not ${value}`);
  return value;
}

/** Python `int()`: numbers are truncated, strings must be integers. */
function toInt(raw: unknown, name: string): number {
  if (typeof raw === "number" && Number.isFinite(raw)) return Math.trunc(raw);
  if (typeof raw === "boolean") return raw ? 1 : 0;
  if (typeof raw === "string" && /^\s*[-+]?\d+\s*$/.test(raw)) return Number.parseInt(raw, 10);
  throw new StepConfigError(`${name} must be a number of seconds, not ${JSON.stringify(raw)}`);
}

function readEnv(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new StepConfigError(`env must be a mapping of names to values`);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    // None removes a variable in Buildbot; here the step simply does not set it.
    if (value === null || value === undefined) continue;
    env[key] = Array.isArray(value) ? value.map(pythonStr).join(":") : pythonStr(value);
  }
  return env;
}
