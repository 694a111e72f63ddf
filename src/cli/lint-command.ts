/**
 * `eve lint [FILE...]`: validate build files (default eve/main.yml). One line
 * per problem, `FILE:LINE:COL: error|warning: MESSAGE`, on stdout. Exit 0 when
 * there is no error (warnings allowed), 1 when there is one, 2 on bad usage.
 */
import { readFile, stat } from "node:fs/promises";
import { formatMessage } from "../buildfile/format-message.js";
import type { ValidationMessage } from "../buildfile/types.js";
import { validateBuildFile } from "../buildfile/validate-build-file.js";
import { WORKER_RULES } from "../provisioners/worker-types.js";
import { DEFAULT_YAML_LIMITS } from "../buildfile/yaml/parse-yaml-document.js";
import { createEnvReader } from "../config/env-reader.js";
import { readAvailableNeeds } from "../config/read-available-needs.js";
import { UsageError } from "./usage-error.js";

const DEFAULT_FILE = "eve/main.yml";
const USAGE = `Usage: eve lint [FILE...]

Validate Eve build files (default ${DEFAULT_FILE}). Prints one line per problem:
  FILE:LINE:COL: error|warning: MESSAGE
Exit status: 0 no error (warnings allowed), 1 at least one error, 2 usage error.
`;

export async function lintCommand(args: string[]): Promise<number> {
  const files: string[] = [];
  let options = true;
  for (const arg of args) {
    if (options && arg === "--") options = false;
    else if (options && (arg === "--help" || arg === "-h")) {
      process.stdout.write(USAGE);
      return 0;
    } else if (options && arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option '${arg}'\n\n${USAGE}`);
    else files.push(arg);
  }
  if (files.length === 0) files.push(DEFAULT_FILE);

  let errors = 0;
  for (const file of files) {
    const messages = await lintFile(file);
    errors += messages.filter((message) => message.severity === "error").length;
    if (messages.length > 0) process.stdout.write(`${messages.map(formatMessage).join("\n")}\n`);
  }
  return errors > 0 ? 1 : 0;
}

async function lintFile(file: string): Promise<ValidationMessage[]> {
  const problem = (message: string, line = 1, column = 1): ValidationMessage[] => [{ file, line, column, severity: "error", message, path: "" }];
  let bytes: Buffer;
  try {
    // Refuse a huge file before reading it: memory stays bounded.
    const { size } = await stat(file);
    if (size > DEFAULT_YAML_LIMITS.maxSize) return problem(`file is too large (${size} bytes, the limit is ${DEFAULT_YAML_LIMITS.maxSize})`);
    bytes = await readFile(file);
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
    return problem(`cannot read ${file} (${reason})`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const lenient = new TextDecoder("utf-8").decode(bytes);
    const before = lenient.slice(0, Math.max(0, lenient.indexOf("\uFFFD")));
    const line = before.split("\n").length;
    return problem("the file is not valid UTF-8 text", line, before.length - before.lastIndexOf("\n"));
  }
  // Step types this installation cannot run are warnings, with the line the engine would fail with.
  const available = readAvailableNeeds(createEnvReader(process.env, []).silent());
  return validateBuildFile(text, file, { workerRules: WORKER_RULES, available }).messages;
}
