/**
 * Python's view of yaml values, which Eve's semantics rest on: `str()` when a
 * value is formatted into a string, truthiness when a value is used as a flag,
 * and `strtobool` for `doStepIf`.
 */

/** Python `bool(value)`: '', 0, None, False, [] and {} are false; any other string (even 'False') is true. */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === "string") return value.length > 0;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** Python `str(value)`. */
export function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pythonRepr(value);
}

/** Python `repr(value)` for the values yaml and JSON can hold. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    return String(value);
  }
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (value instanceof Date) return quote(value.toISOString());
  if (typeof value === "object") {
    const items = Object.entries(value).map(([k, v]) => `${quote(k)}: ${pythonRepr(v)}`);
    return `{${items.join(", ")}}`;
  }
  return String(value);
}

function quote(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const c of s) {
    if (c === "\\") out += "\\\\";
    else if (c === q) out += `\\${q}`;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else out += c;
  }
  return out + q;
}

const TRUE_WORDS = new Set(["y", "yes", "t", "true", "on", "1"]);
const FALSE_WORDS = new Set(["n", "no", "f", "false", "off", "0"]);

/** Python `distutils.util.strtobool`; undefined for any other word. */
export function strtobool(text: string): boolean | undefined {
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}
