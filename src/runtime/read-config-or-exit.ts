/** Loads the config; on bad settings prints one line each and exits 1 (no stack trace: it is the operator's input). */
import type { EveConfig } from "../config/eve-config.js";
import { loadConfig } from "../config/load-config.js";

export function readConfigOrExit(program: string): EveConfig {
  const { config, errors, warnings } = loadConfig(process.env);
  for (const warning of warnings) process.stderr.write(`${program}: warning: ${warning}\n`);
  if (!config) {
    process.stderr.write(`${program}: cannot start, ${errors.length} bad setting${errors.length === 1 ? "" : "s"}:\n`);
    for (const error of errors) process.stderr.write(`  ${error}\n`);
    process.exit(1);
  }
  return config;
}
