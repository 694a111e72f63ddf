/** Bytes [start, end) of a log. */
export interface TextRange {
  start: number;
  end: number;
}

/**
 * The range a `Range` header asks of a `size`-byte log: a range, "whole"
 * (no header, or one this server ignores, such as several ranges — RFC 9110
 * lets a server answer those with the whole), or "unsatisfiable" (416).
 */
export function parseRangeHeader(header: string | undefined, size: number): TextRange | "whole" | "unsatisfiable" {
  if (header === undefined) return "whole";
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return "whole";
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(match[1]);
  const last = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || last < start) return "unsatisfiable";
  return { start, end: last + 1 };
}
