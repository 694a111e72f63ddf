/**
 * Python's `fnmatch.fnmatch` on POSIX, as Eve matched branch names: `*` also
 * matches `/`, `?` one character, `[seq]` / `[!seq]` a set, everything else
 * literally; case-sensitive; the whole name must match.
 */

const cache = new Map<string, RegExp>();

export function fnmatch(name: string, pattern: string): boolean {
  let regex = cache.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${translate(pattern)})$`, "su");
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, regex);
  }
  return regex.test(name);
}

/** fnmatch.translate: a shell pattern → regex source. */
function translate(pattern: string): string {
  const chars = [...pattern];
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? "";
    if (char === "*") out += ".*";
    else if (char === "?") out += ".";
    else if (char === "[") {
      const set = translateSet(chars, i + 1);
      if (set) {
        out += set.regex;
        i = set.end;
      } else out += "\\[";
    } else out += escape(char);
  }
  return out;
}

/** A `[...]` set starting after its `[`, or undefined when unclosed (then `[` is literal). */
function translateSet(chars: string[], start: number): { regex: string; end: number } | undefined {
  let j = start;
  if (chars[j] === "!") j++;
  if (chars[j] === "]") j++;
  while (j < chars.length && chars[j] !== "]") j++;
  if (j >= chars.length) return undefined;
  const negated = chars[start] === "!";
  const content = chars.slice(negated ? start + 1 : start, j);
  const items: string[] = [];
  for (let k = 0; k < content.length; k++) {
    const low = content[k] ?? "";
    const high = content[k + 2];
    if (content[k + 1] === "-" && high !== undefined) {
      // Python drops empty ranges such as z-a rather than failing.
      if ((low.codePointAt(0) ?? 0) <= (high.codePointAt(0) ?? 0)) items.push(`${escape(low, true)}-${escape(high, true)}`);
      k += 2;
    } else items.push(escape(low, true));
  }
  if (items.length === 0) return { regex: negated ? "." : "(?!)", end: j };
  return { regex: `[${negated ? "^" : ""}${items.join("")}]`, end: j };
}

/** Escapes a literal character (the `u` flag only allows escaping syntax characters, and `-` in a set). */
function escape(char: string, inSet = false): string {
  return (inSet ? /[\\\]\[^-]/ : /[\\^$.*+?()[\]{}|/]/).test(char) ? `\\${char}` : char;
}
