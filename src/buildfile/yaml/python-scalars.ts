/**
 * Scalars as PyYAML (YAML 1.1, `yaml.load`) reads them: the implicit
 * resolvers of `yaml/resolver.py` for plain scalars and the constructors of
 * `yaml/constructor.py` for the standard tags. Eve's files rely on these
 * (`version: 0.2` a float, `yes`/`on`/`True` booleans), and a YAML 1.2 core
 * schema reads them differently.
 */

/** A constructed scalar, or why the text cannot be one. */
export type ScalarResult = { value: unknown; float?: boolean } | { error: string };

const TAG = "tag:yaml.org,2002:";

// Regexes copied from PyYAML's Resolver (re.X whitespace removed). Python's `$`
// also matches before a final newline, which plain scalars never end with.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

/**
 * The tag PyYAML's resolver gives a plain scalar. Resolvers are indexed by the
 * first character, exactly as PyYAML does (`yaml_implicit_resolvers`).
 */
export function resolvePlainTag(text: string): string {
  const first = text.charAt(0);
  if ("yYnNtTfFoO".includes(first) && BOOL.test(text)) return `${TAG}bool`;
  if ("-+0123456789.".includes(first) && FLOAT.test(text)) return `${TAG}float`;
  if ("-+0123456789".includes(first) && INT.test(text)) return `${TAG}int`;
  if (first === "<" && text === "<<") return `${TAG}merge`;
  if ((first === "" || "~nN".includes(first)) && NULL.test(text)) return `${TAG}null`;
  if ("0123456789".includes(first) && TIMESTAMP.test(text)) return `${TAG}timestamp`;
  if (first === "=" && text === "=") return `${TAG}value`;
  return `${TAG}str`;
}

/** Constructs the value of a scalar with a resolved or explicit tag. */
export function constructScalar(tag: string, text: string): ScalarResult {
  switch (tag) {
    case `${TAG}str`:
    case `${TAG}merge`:
      // `<<` outside a mapping key is read as a plain string.
      return { value: text };
    case `${TAG}null`:
      return { value: null };
    case `${TAG}bool`:
      return BOOL.test(text) ? { value: /^(?:yes|true|on)$/i.test(text) } : invalid("bool", text);
    case `${TAG}int`:
      return INT.test(text) ? { value: constructInt(text) } : invalid("int", text);
    case `${TAG}float`:
      return constructFloat(text);
    case `${TAG}timestamp`:
      // Python gives a date/datetime; str() of a date is its ISO text, which is
      // what a build file ever does with one.
      return TIMESTAMP.test(text) ? { value: text } : invalid("timestamp", text);
    case `${TAG}binary`:
      return { value: text.replace(/\s+/g, "") };
    default:
      return { error: `could not determine a constructor for the tag '${tag}'` };
  }
}

function invalid(kind: string, text: string): ScalarResult {
  return { error: `invalid ${kind} value '${text}'` };
}

function constructInt(raw: string): number {
  let text = raw.replaceAll("_", "");
  let sign = 1;
  if (text.startsWith("-")) sign = -1;
  if (text.startsWith("-") || text.startsWith("+")) text = text.slice(1);
  if (text === "0") return 0;
  if (text.startsWith("0b")) return sign * parseInt(text.slice(2), 2);
  if (text.startsWith("0x")) return sign * parseInt(text.slice(2), 16);
  if (text.startsWith("0")) return sign * parseInt(text, 8);
  if (text.includes(":")) return sign * sexagesimal(text);
  return sign * Number(text);
}

function constructFloat(raw: string): ScalarResult {
  let text = raw.replaceAll("_", "").toLowerCase();
  let sign = 1;
  if (text.startsWith("-")) sign = -1;
  if (text.startsWith("-") || text.startsWith("+")) text = text.slice(1);
  if (text === ".inf") return { value: sign * Infinity, float: true };
  if (text === ".nan") return { value: NaN, float: true };
  if (text.includes(":")) return { value: sign * sexagesimal(text), float: true };
  const value = Number(text);
  // Python's float() accepts what the resolver matched; an explicit `!!float`
  // on other text fails as it does in PyYAML.
  return Number.isNaN(value) ? invalid("float", raw) : { value: sign * value, float: true };
}

function sexagesimal(text: string): number {
  return text.split(":").reduce((total, part) => total * 60 + Number(part), 0);
}

/** Python's `str()` of a float: shortest repr, always with a dot or exponent. */
export function pythonFloatString(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent >= 16 || exponent < -4) {
    const [mantissa = "", exp = "0"] = value.toExponential().split("e");
    const expNumber = Number(exp);
    const expText = `${expNumber < 0 ? "-" : "+"}${String(Math.abs(expNumber)).padStart(2, "0")}`;
    return `${mantissa}e${expText}`;
  }
  const text = String(value);
  return text.includes(".") || text.includes("e") ? text : `${text}.0`;
}
