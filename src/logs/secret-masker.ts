/**
 * Replaces every secret value (and its encoded forms, see secret-variants.ts) in a stream of text, even
 * when a secret is split across chunks. Only the shortest suffix that could
 * still become a secret is held back, so output stays live.
 */
import { secretVariants } from "./secret-variants.js";

/** What a masked secret looks like in logs. */
export const SECRET_MASK = "<secret>";

export class SecretMasker {
  private readonly patterns: string[];
  private readonly longest: number;
  private held = "";

  constructor(secrets: Iterable<string>) {
    const patterns = new Set<string>();
    for (const secret of secrets) {
      if (secret.length === 0) continue;
      // The secret and its encoded forms (base64 at every alignment, URL, JSON, CRLF, lines).
      for (const variant of secretVariants(secret)) patterns.add(variant);
    }
    // Longest first: at one position, the longer secret wins.
    this.patterns = [...patterns].sort((a, b) => b.length - a.length);
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
    this.held = all.slice(keep);
    return masked + all.slice(end, keep);
  }

  /** Releases what was held back (it cannot become a secret any more). */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return rest;
  }

  /** Masks a complete text at once (command lines, info lines). */
  mask(text: string): string {
    if (this.patterns.length === 0) return text;
    const { masked, end } = this.maskMatches(text);
    return masked + text.slice(end);
  }

  /** Replaces matches left to right; returns the masked prefix and where it ends in `text`. */
  private maskMatches(text: string): { masked: string; end: number } {
    const next = this.patterns.map((p) => text.indexOf(p));
    let out = "";
    let pos = 0;
    for (;;) {
      let best = -1;
      for (let k = 0; k < next.length; k++) {
        const at = next[k] ?? -1;
        if (at >= 0 && (best < 0 || at < (next[best] ?? -1))) best = k;
      }
      if (best < 0) return { masked: out, end: pos };
      const at = next[best] ?? 0;
      out += text.slice(pos, at) + SECRET_MASK;
      pos = at + (this.patterns[best]?.length ?? 0);
      for (let k = 0; k < next.length; k++) {
        if ((next[k] ?? -1) >= 0 && (next[k] ?? 0) < pos) next[k] = text.indexOf(this.patterns[k] ?? "", pos);
      }
    }
  }

  /** The smallest index ≥ `from` whose suffix is a proper prefix of some pattern. */
  private holdStart(text: string, from: number): number {
    const start = Math.max(from, text.length - this.longest + 1);
    for (let s = start; s < text.length; s++) {
      const tail = text.slice(s);
      if (this.patterns.some((p) => p.length > tail.length && p.startsWith(tail))) return s;
    }
    return text.length;
  }
}
