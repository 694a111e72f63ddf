/**
 * Replaces every secret value (and its encoded forms, see secret-variants.ts) in a stream of text, even
 * when a secret is split across chunks or across lines: `base64` wraps its output at 76 columns,
 * `openssl base64` at 64 and `xxd -p` at 60, so line breaks are ignored inside a match. Only the
 * shortest suffix that could still become a secret is held back, so output stays live; a line break
 * is held only after a line that looks like wrapped encoded output.
 */
import { secretVariants } from "./secret-variants.js";

/** What a masked secret looks like in logs. */
export const SECRET_MASK = "<secret>";

const LINE_BREAKS = /[\r\n]+/g;
/** Characters of base64, base64url and hex: what wrapped encoded output is made of. */
const ENCODED = /[A-Za-z0-9+/=_-]/;
/** The narrowest wrap of the usual encoders (`xxd -p`); shorter lines are text and end a possible match. */
const MIN_WRAPPED_LINE = 60;

export class SecretMasker {
  /** Patterns without line breaks (they are ignored in the text too), longest first. */
  private readonly patterns: string[];
  private readonly firstChars: Set<string>;
  private readonly longest: number;
  private held = "";
  /** How many encoded characters end the text already released, on its last line. */
  private releasedRun = 0;

  constructor(secrets: Iterable<string>) {
    const patterns = new Set<string>();
    for (const secret of secrets) {
      // The secret and its encoded forms (base64 at every alignment, hex, URL, JSON, CRLF, lines).
      for (const variant of secretVariants(secret)) {
        const flat = variant.replace(LINE_BREAKS, "");
        if (flat.length > 0) patterns.add(flat);
      }
    }
    // Longest first: at one position, the longer secret wins.
    this.patterns = [...patterns].sort((a, b) => b.length - a.length);
    this.firstChars = new Set(this.patterns.map((p) => p.charAt(0)));
    this.longest = this.patterns[0]?.length ?? 0;
  }

  /** True when there is nothing to mask: callers may skip the masker entirely. */
  get isEmpty(): boolean {
    return this.patterns.length === 0;
  }

  /** Masks `text`; returns what can be released now. */
  push(text: string): string {
    if (this.patterns.length === 0) return text;
    const all = this.held + text;
    const { masked, end } = this.maskMatches(all);
    const keep = this.holdStart(all, end);
    this.releasedRun = encodedRunBefore(all, keep, this.releasedRun);
    this.held = all.slice(keep);
    return masked + all.slice(end, keep);
  }

  /** Releases what was held back (it cannot become a secret any more). */
  flush(): string {
    const rest = this.held;
    this.releasedRun = encodedRunBefore(rest, rest.length, this.releasedRun);
    this.held = "";
    return rest;
  }

  /** Masks a complete text at once (command lines, info lines). */
  mask(text: string): string {
    if (this.patterns.length === 0) return text;
    const { masked, end } = this.maskMatches(text);
    return masked + text.slice(end);
  }

  /** Replaces matches left to right, line breaks ignored; returns the masked prefix and where it ends in `text`. */
  private maskMatches(text: string): { masked: string; end: number } {
    const view = new FlatView(text, this.releasedRun);
    const flat = view.flat;
    const next = this.patterns.map((p) => flat.indexOf(p));
    let out = "";
    let pos = 0;
    let flatPos = 0;
    for (;;) {
      let best = -1;
      for (let k = 0; k < next.length; k++) {
        const at = next[k] ?? -1;
        if (at >= 0 && (best < 0 || at < (next[best] ?? -1))) best = k;
      }
      if (best < 0) return { masked: out, end: pos };
      const at = next[best] ?? 0;
      flatPos = at + (this.patterns[best]?.length ?? 0);
      const start = view.origin(at);
      const end = view.origin(flatPos - 1) + 1;
      // Each line of a match spanning lines is masked on its own line: the log keeps its shape.
      out += text.slice(pos, start) + text.slice(start, end).replace(/[^\r\n]+/g, SECRET_MASK);
      pos = end;
      for (let k = 0; k < next.length; k++) {
        if ((next[k] ?? -1) >= 0 && (next[k] ?? 0) < flatPos) next[k] = flat.indexOf(this.patterns[k] ?? "", flatPos);
      }
    }
  }

  /** The smallest index ≥ `from` whose suffix (line breaks aside) is a proper prefix of some pattern. */
  private holdStart(text: string, from: number): number {
    // Far enough back to hold the longest pattern but one character, line breaks not counted.
    let start = text.length;
    for (let kept = 0; start > from && kept < this.longest - 1; ) {
      start--;
      if (!isBreak(text.charCodeAt(start))) kept++;
    }
    for (let s = start; s < text.length; s++) {
      if (!this.firstChars.has(text.charAt(s))) continue;
      const tail = text.slice(s);
      const flat = tail.replace(LINE_BREAKS, "");
      if (!this.patterns.some((p) => p.length > flat.length && p.startsWith(flat))) continue;
      if (this.breaksLookWrapped(text, s)) return s;
    }
    return text.length;
  }

  /** True when every line break after `s` ends a line of at least MIN_WRAPPED_LINE encoded characters. */
  private breaksLookWrapped(text: string, s: number): boolean {
    for (let i = s; i < text.length; i++) {
      if (!isBreak(text.charCodeAt(i)) || isBreak(text.charCodeAt(i - 1))) continue;
      if (encodedRunBefore(text, i, this.releasedRun) < MIN_WRAPPED_LINE) return false;
    }
    return true;
  }
}

/** The number of encoded characters just before `index` in `text`, continuing `carried` when they reach its start. */
function encodedRunBefore(text: string, index: number, carried: number): number {
  let i = index;
  while (i > 0 && ENCODED.test(text.charAt(i - 1))) i--;
  return i === 0 ? carried + index : index - i;
}

function isBreak(code: number): boolean {
  return code === 10 || code === 13;
}

/**
 * `text` without the line breaks that end wrapped encoded output (a line of at
 * least MIN_WRAPPED_LINE encoded characters), and the way back from a position
 * in it to one in `text`. Other line breaks stay: ordinary log text then needs
 * no copy, which keeps masking fast and memory flat.
 */
class FlatView {
  readonly flat: string;
  /** Flat positions where a run of line breaks was removed, and how many characters were removed up to there. */
  private readonly runs: { at: number; removed: number }[] = [];

  constructor(text: string, carriedRun: number) {
    const breaks = wrappedBreaks(text, carriedRun);
    if (breaks.length === 0) {
      this.flat = text;
      return;
    }
    const pieces: string[] = [];
    let from = 0;
    let removed = 0;
    for (const { start, end } of breaks) {
      pieces.push(text.slice(from, start));
      removed += end - start;
      this.runs.push({ at: end - removed, removed });
      from = end;
    }
    pieces.push(text.slice(from));
    this.flat = pieces.join("");
  }

  /** The position in `text` of the character at flat position `index`. */
  origin(index: number): number {
    const runs = this.runs;
    // The last run at or before `index` (binary search: a chunk may hold thousands of lines).
    let low = 0;
    let high = runs.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((runs[mid]?.at ?? 0) <= index) low = mid + 1;
      else high = mid;
    }
    return index + (runs[low - 1]?.removed ?? 0);
  }
}

/** The runs of line breaks in `text` (start and end) that follow a line of wrapped encoded output. */
function wrappedBreaks(text: string, carriedRun: number): { start: number; end: number }[] {
  const breaks: { start: number; end: number }[] = [];
  for (const match of text.matchAll(LINE_BREAKS)) {
    if (encodedRunBefore(text, match.index, carriedRun) >= MIN_WRAPPED_LINE) breaks.push({ start: match.index, end: match.index + match[0].length });
  }
  return breaks;
}
