/**
 * Buildbot's `Interpolate`, as Eve wraps every step value that mentions
 * `prop:` or `secret:`. Python `%`-formatting with a lookup per key:
 * `%(prop:name[:modifier])s`, `%(secret:name)s`, `%%` for a literal `%`.
 * Modifiers (`:-`, `:~`, `:+`, `:?|a|b`, `:#?|a|b`) follow Buildbot's
 * `_Lookup`; their replacement texts are themselves interpolated, so they nest.
 */
import { pythonRepr, pythonStr, pythonTruthy } from "./python-values.js";

/** Where interpolation reads values. */
export interface InterpolationSource {
  /** The property's value; undefined when the property is not set. */
  property(name: string): unknown;
  /** The secret's value; undefined when unknown (an error in Buildbot). */
  secret(name: string): string | undefined;
}

/** A template that cannot be rendered: bad syntax or an unknown secret. */
export class InterpolationError extends Error {
  override readonly name = "InterpolationError";
}

/** Eve interpolates a string only when it mentions `prop:` or `secret:`. */
export function needsInterpolation(s: string): boolean {
  return s.includes("prop:") || s.includes("secret:");
}

/** Interpolates strings that need it, anywhere in a yaml value (keys untouched). */
export function interpolateDeep(value: unknown, source: InterpolationSource): unknown {
  if (typeof value === "string") return needsInterpolation(value) ? interpolate(value, source) : value;
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, source));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateDeep(item, source);
    return out;
  }
  return value;
}

/** Renders a template exactly as `Interpolate(template)` would. */
export function interpolate(template: string, source: InterpolationSource): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const percent = template.indexOf("%", i);
    if (percent < 0) return out + template.slice(i);
    out += template.slice(i, percent);
    const next = template[percent + 1];
    if (next === "%") {
      out += "%";
      i = percent + 2;
      continue;
    }
    if (next !== "(") {
      throw new InterpolationError(
        next === undefined
          ? `incomplete format: a lone '%' ends '${template}' (write %% for a literal %)`
          : `unsupported format '%${next}' at index ${percent} in '${template}' (write %% for a literal %)`,
      );
    }
    const close = matchingParen(template, percent + 1);
    const key = template.slice(percent + 2, close);
    const spec = /^[-+ #0]*(\d*)(?:\.(\d+))?([srdi])/.exec(template.slice(close + 1));
    if (!spec) throw new InterpolationError(`unsupported format after '%(${key})' in '${template}': expected 's'`);
    out += format(renderKey(key, source), spec);
    i = close + 1 + spec[0].length;
  }
  return out;
}

/** Index of the `)` closing the `(` at `open`, counting nested parentheses as Python does. */
function matchingParen(template: string, open: number): number {
  let depth = 0;
  for (let j = open; j < template.length; j++) {
    if (template[j] === "(") depth++;
    else if (template[j] === ")" && --depth === 0) return j;
  }
  throw new InterpolationError(`incomplete format key: no ')' closes '%(' in '${template}'`);
}

function format(value: unknown, spec: RegExpExecArray): string {
  const flags = spec[0];
  const conversion = spec[3];
  let text: string;
  if (conversion === "r") text = pythonRepr(value);
  else if (conversion === "d" || conversion === "i") {
    const n = typeof value === "boolean" ? Number(value) : typeof value === "string" ? Number.NaN : Number(value);
    if (!Number.isFinite(n)) throw new InterpolationError(`%${conversion} format: a number is required, not ${pythonRepr(value)}`);
    text = String(Math.trunc(n));
  } else text = pythonStr(value);
  if (spec[2] !== undefined && conversion !== "d" && conversion !== "i") text = text.slice(0, Number(spec[2]));
  const width = Number(spec[1] || 0);
  return flags.includes("-") ? text.padEnd(width) : text.padStart(width);
}

const IDENTIFIER = /^[\w.-]*$/u;

/** Renders one `%(...)` key: `selector:name[:modifier]`. */
function renderKey(key: string, source: InterpolationSource): unknown {
  const colon = key.indexOf(":");
  if (colon < 0) throw new InterpolationError(`invalid Interpolate substitution without selector '${key}'`);
  const selector = key.slice(0, colon);
  let rest = key.slice(colon + 1);
  let lookup: () => { found: boolean; value: unknown };
  if (selector === "prop" || selector === "secret" || selector === "kw" || selector === "worker") {
    const sep = rest.indexOf(":");
    const name = sep < 0 ? rest : rest.slice(0, sep);
    rest = sep < 0 ? "-" : rest.slice(sep + 1);
    if (selector === "prop" && !IDENTIFIER.test(name)) {
      throw new InterpolationError(`Property name must be alphanumeric for prop Interpolation '${name}'`);
    }
    lookup = lookupFor(selector, name, source);
  } else if (selector === "src") {
    // `%(src:codebase:attr)s`: Eve builds have one codebase, whose source stamp is in the properties.
    const parts = rest.split(":");
    const attr = parts[1] ?? "";
    rest = parts.length > 2 ? parts.slice(2).join(":") : "-";
    lookup = lookupFor("prop", attr, source);
  } else {
    throw new InterpolationError(`invalid Interpolate selector '${selector}' in '%(${key})s'`);
  }
  return applyModifier(rest, key, lookup, source);
}

function lookupFor(selector: string, name: string, source: InterpolationSource): () => { found: boolean; value: unknown } {
  if (selector === "secret") {
    // Buildbot's secret indexer always "has" the key; rendering a missing one fails.
    return () => {
      const value = source.secret(name);
      if (value === undefined) throw new InterpolationError(`secret '${name}' is not found in any provider`);
      return { found: true, value };
    };
  }
  if (selector === "prop") {
    return () => {
      const value = source.property(name);
      return { found: value !== undefined, value };
    };
  }
  // Eve passes no keyword arguments and no worker info to Interpolate.
  return () => ({ found: false, value: undefined });
}

/** Buildbot `_Lookup`: `hasKey` when set, `default` when unset (or falsy with `defaultWhenFalse`), None → ''. */
function applyModifier(
  modifier: string,
  key: string,
  lookup: () => { found: boolean; value: unknown },
  source: InterpolationSource,
): unknown {
  const sub = (text: string) => () => interpolate(text, source);
  let hasKey: (() => string) | undefined;
  let fallback: () => string;
  let defaultWhenFalse: boolean;
  if (modifier.startsWith("-") || modifier.startsWith("~")) {
    fallback = sub(modifier.slice(1));
    defaultWhenFalse = modifier.startsWith("~");
  } else if (modifier.startsWith("+")) {
    hasKey = sub(modifier.slice(1));
    fallback = () => "";
    defaultWhenFalse = false;
  } else if (modifier.startsWith("?") || modifier.startsWith("#?")) {
    defaultWhenFalse = modifier.startsWith("#");
    const body = modifier.slice(defaultWhenFalse ? 2 : 1);
    const [truePart, falsePart] = splitTernary(body, key);
    hasKey = sub(truePart);
    fallback = sub(falsePart);
  } else {
    throw new InterpolationError(`invalid Interpolate default type '${modifier[0] ?? ""}' in '%(${key})s'`);
  }
  const { found, value } = lookup();
  let rendered: unknown;
  if (!found) rendered = fallback();
  else if (defaultWhenFalse && !pythonTruthy(value)) rendered = fallback();
  else rendered = hasKey ? hasKey() : value;
  return rendered ?? "";
}

/** `|a|b` → [a, b]: the first character is the delimiter; delimiters inside parentheses do not count. */
function splitTernary(body: string, key: string): [string, string] {
  const delim = body[0];
  if (delim === undefined || delim === "(") {
    throw new InterpolationError(`invalid Interpolate ternary delimiter '${delim ?? ""}' in '%(${key})s'`);
  }
  let depth = 0;
  for (let j = 1; j < body.length; j++) {
    const c = body[j];
    if (c === "(") depth++;
    else if (c === ")" && --depth < 0) break;
    else if (depth === 0 && c === delim) return [body.slice(1, j), body.slice(j + 1)];
  }
  throw new InterpolationError(`invalid Interpolate ternary expression '${body.slice(1)}' with delimiter '${delim}'`);
}
