/**
 * EVE_MAX_STAGES_PER_BUILD and EVE_MAX_TRIGGER_DEPTH, read alike by the app,
 * `eve worker` and `eve run`.
 */
import { DEFAULT_TRIGGER_LIMITS, type TriggerLimits } from "../engine/trigger-limits.js";
import type { EnvReader } from "./env-reader.js";

export function loadTriggerLimits(reader: EnvReader): TriggerLimits {
  return {
    maxStagesPerBuild: reader.integer("EVE_MAX_STAGES_PER_BUILD", DEFAULT_TRIGGER_LIMITS.maxStagesPerBuild, 1),
    maxDepth: reader.integer("EVE_MAX_TRIGGER_DEPTH", DEFAULT_TRIGGER_LIMITS.maxDepth, 1),
  };
}
