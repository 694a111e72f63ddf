/**
 * The text of a secrets file → name → value. Two forms: `NAME=VALUE` lines
 * (blank lines and `#` comments ignored, the value is everything after the
 * first `=`, kept as is), or, for a `.yaml`/`.yml` file, a yaml mapping of
 * names to scalars (block scalars carry multi-line secrets such as keys).
 */
import { parse } from "yaml";

export type ParsedSecrets = { ok: true; secrets: Map<string, string> } | { ok: false; message: string };

/** Secret names as `%(secret:NAME)s` can spell them. */
const NAME = /^[A-Za-z0-9_.-]+$/;

export function parseSecretsText(text: string, format: "lines" | "yaml"): ParsedSecrets {
  return format === "yaml" ? parseYamlMap(text) : parseLines(text);
}

/** The format a file name implies. */
export function secretsFormatOf(path: string): "lines" | "yaml" {
  return /\.ya?ml$/i.test(path) ? "yaml" : "lines";
}

function parseLines(text: string): ParsedSecrets {
  const secrets = new Map<string, string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trimStart();
    if (line === "" || line.startsWith("#")) continue;
    const sep = line.indexOf("=");
    const name = line.slice(0, Math.max(sep, 0)).trim();
    // Never echo the line: it holds a secret.
    if (sep <= 0 || !NAME.test(name)) return { ok: false, message: `line ${index + 1}: expected NAME=VALUE (NAME of letters, digits, '_', '.', '-')` };
    secrets.set(name, line.slice(sep + 1));
  }
  return { ok: true, secrets };
}

function parseYamlMap(text: string): ParsedSecrets {
  let value: unknown;
  try {
    value = parse(text, { schema: "failsafe", maxAliasCount: 0 });
  } catch (error) {
    // The yaml package quotes the offending source text: keep only where it is.
    const where = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    return { ok: false, message: `not a valid yaml file${where === undefined ? "" : ` (line ${where})`}` };
  }
  if (value === null || value === undefined) return { ok: true, secrets: new Map() };
  if (typeof value !== "object" || Array.isArray(value)) return { ok: false, message: "expected a mapping of secret names to values" };
  const secrets = new Map<string, string>();
  for (const [name, secret] of Object.entries(value)) {
    if (!NAME.test(name)) return { ok: false, message: `secret name '${name}' must be letters, digits, '_', '.', '-'` };
    if (typeof secret !== "string") return { ok: false, message: `secret '${name}' must be a string, not a list or mapping` };
    secrets.set(name, secret);
  }
  return { ok: true, secrets };
}
