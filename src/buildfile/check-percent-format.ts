/**
 * Eve's whole-file `%` check: before parsing, Eve formats the raw file with
 * Python's `%` operator against an always-empty mapping (`raw % defaultdict(str)`)
 * and fails the build when that raises "unsupported format character", e.g. a
 * stray `%Y` (`eve/steps/yaml_parser.py`). Other ValueErrors (incomplete format,
 * width too big) escape the step as an exception. A TypeError ends the check
 * silently: `%d` on the mapping, or a second argument-consuming sequence
 * ("not enough arguments"), so Eve never looks further. Real files depend on
 * that (scality/metalk8s has `$(( $i % 10 ))` after such a point), so this
 * follows CPython's `PyUnicode_Format` exactly and reports at most one problem.
 */

/** A bad `%` sequence at the 0-based offset of its `%`. */
export interface PercentProblem {
  offset: number;
  message: string;
}

const FLAGS = new Set(["-", "+", " ", "#", "0"]);
const STRING_CONVERSIONS = new Set([..."sra"]);
const NUMBER_CONVERSIONS = new Set([..."cdiuoxXeEfFgG"]);
const MAX_WIDTH = 2 ** 63 - 1; // PY_SSIZE_T_MAX
const MAX_PRECISION = 2 ** 31 - 1;

/** The problem Eve's whole-file check finds, if any. */
export function checkPercentFormat(text: string): PercentProblem | undefined {
  // Python hands out the mapping itself to one unkeyed sequence; a `%(key)`
  // lookup makes its value (here '') the next argument.
  let argumentAvailable = true;
  for (let index = text.indexOf("%"); index !== -1; ) {
    const spec = parseSpec(text, index + 1);
    if (spec.keyed) argumentAvailable = true;
    // Parse errors come first; an unknown conversion only once an argument was fetched.
    if (spec.problem && (spec.kind === "literal" || argumentAvailable)) return spec.problem;
    if (spec.kind === "literal") {
      index = text.indexOf("%", spec.end);
      continue;
    }
    // `*` wants an int and numeric conversions a number: both TypeErrors.
    if (spec.kind !== "string" || !argumentAvailable) return undefined;
    argumentAvailable = false;
    index = text.indexOf("%", spec.end);
  }
  return undefined;
}

/**
 * The bad `%` sequences of a string that Buildbot's `Interpolate` will format:
 * there every `%` must be `%%` or a keyed `%(...)` conversion.
 */
export function checkInterpolatedPercent(text: string): PercentProblem | undefined {
  for (let index = text.indexOf("%"); index !== -1; ) {
    const spec = parseSpec(text, index + 1);
    if (spec.problem) return spec.problem;
    if (spec.kind !== "literal" && !spec.keyed) {
      return { offset: index, message: "a '%' sequence without a %(prop:name)s key: write %% for a literal %" };
    }
    index = text.indexOf("%", spec.end);
  }
  return undefined;
}

interface Spec {
  end: number;
  keyed: boolean;
  /** "literal" also covers parse errors, which Python raises before fetching an argument. */
  kind: "literal" | "string" | "number" | "star" | "unsupported";
  problem?: PercentProblem;
}

/** Parses one conversion spec starting after its `%`, as CPython's unicode_format_arg_parse. */
function parseSpec(text: string, from: number): Spec {
  const percent = from - 1;
  const fail = (message: string, end = text.length): Spec => ({ end, keyed: false, kind: "literal", problem: { offset: percent, message } });
  let position = from;
  const keyed = text[position] === "(";
  if (keyed) {
    let depth = 1;
    position++;
    while (depth > 0 && position < text.length) {
      if (text[position] === ")") depth--;
      else if (text[position] === "(") depth++;
      position++;
    }
    if (depth > 0) return fail("incomplete format key");
  }
  while (position < text.length && FLAGS.has(text[position] ?? "")) position++;
  let star = false;
  if (text[position] === "*") {
    star = true;
    position++;
  } else {
    const width = digitsAt(text, position);
    if (width.value > MAX_WIDTH) return fail("width too big", width.end);
    position = width.end;
  }
  if (text[position] === ".") {
    position++;
    if (text[position] === "*") {
      star = true;
      position++;
    } else {
      const precision = digitsAt(text, position);
      if (precision.value > MAX_PRECISION) return fail("precision too big", precision.end);
      position = precision.end;
    }
  }
  if ("hlL".includes(text[position] ?? "x")) position++;
  const char = text.codePointAt(position);
  if (char === undefined) return fail("incomplete format");
  const end = position + (char > 0xffff ? 2 : 1);
  const conversion = String.fromCodePoint(char);
  // A bare `%%` is a literal; CPython rejects `%` after a key, flag, width or precision.
  if (char === 0x25 && position === from) return { end, keyed, kind: "literal" };
  if (char === 0x25 && !keyed) return { end, keyed, kind: "unsupported", problem: { offset: percent, message: "unsupported format character '%' (0x25): write %% for a literal %" } };
  if (star) return { end, keyed, kind: "star" };
  if (STRING_CONVERSIONS.has(conversion)) return { end, keyed, kind: "string" };
  if (NUMBER_CONVERSIONS.has(conversion)) return { end, keyed, kind: "number" };
  const shown = char >= 31 && char <= 126 ? conversion : "?";
  const message = `unsupported format character '${shown}' (0x${char.toString(16)}): write %% for a literal %`;
  return { end, keyed, kind: "unsupported", problem: { offset: percent, message } };
}

function digitsAt(text: string, from: number): { value: number; end: number } {
  let end = from;
  while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end++;
  return { value: end > from ? Number(text.slice(from, end)) : 0, end };
}
