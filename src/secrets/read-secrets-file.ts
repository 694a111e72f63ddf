/**
 * The file source: a secrets file in either form of parseSecretsText, read
 * once. Problems are messages naming the file and line, never the values.
 */
import { readFile } from "node:fs/promises";
import { parseSecretsText, secretsFormatOf } from "./parse-secrets-text.js";
import { SecretSourceError } from "./secret-source-error.js";

export async function readSecretsFile(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SecretSourceError(`cannot read the secrets file ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  const parsed = parseSecretsText(text, secretsFormatOf(path));
  if (!parsed.ok) throw new SecretSourceError(`${path}: ${parsed.message}`);
  return parsed.secrets;
}
