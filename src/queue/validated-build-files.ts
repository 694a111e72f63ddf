/**
 * Build files as the app validates them, kept by their content: most pushes
 * run the same file as the push before, and every stage of a build reads it
 * again, so each process parses and checks a text once. Results are shared:
 * callers only read them.
 */
import { createHash } from "node:crypto";
import { type ValidateBuildFileResult, validateBuildFile } from "../buildfile/validate-build-file.js";
import { WORKER_RULES } from "../provisioners/worker-types.js";
import { RecentlyUsed } from "./recently-used.js";

/** Distinct build files kept per process (the oldest used goes first). */
const KEPT = 32;
const results = new RecentlyUsed<string, ValidateBuildFileResult>(KEPT);

/** `validateBuildFile` with the registry's worker rules, once per distinct (path, text) in this process. */
export function validateAppBuildFile(text: string, path: string): ValidateBuildFileResult {
  const key = createHash("sha256").update(path).update("\0").update(text).digest("base64");
  const kept = results.get(key);
  if (kept) return kept;
  const result = validateBuildFile(text, path, { workerRules: WORKER_RULES });
  results.set(key, result);
  return result;
}
