/** A line of the log that matched, at its byte offset. */
export interface LogMatch {
  offset: number;
  line: string;
}

export interface LogSearchOptions {
  /** What to find: a plain text (case-insensitive when ASCII), or "errors" for the lines that look like errors. */
  query: string | "errors";
  /** Stop after this many matching lines. */
  limit: number;
  /** Where `chunks` starts in the log. */
  start?: number;
}

/** What the page's "first error" looks for: words compilers, test runners and shells print on failure. */
const ERROR_PATTERN = /\b(?:error|errors|fatal|failed|failure|panic|exception|traceback)\b/i;
/** A line longer than this is searched in pieces (a match across two pieces is missed). */
const MAX_LINE = 64 * 1024;
/** A matching line is sent cut to this many characters. */
const SHOWN_LINE = 400;

/**
 * Finds the lines of a log that match, streaming: the bytes are searched as
 * latin1 (one character per byte, so a match's index is its byte offset),
 * with the query as its UTF-8 bytes; lines are decoded as UTF-8 to be shown.
 */
export async function* searchLog(chunks: AsyncIterable<Buffer>, options: LogSearchOptions): AsyncIterable<LogMatch> {
  const pattern = options.query === "errors" ? new RegExp(ERROR_PATTERN.source, "gi") : literalPattern(options.query);
  let carry: Buffer = Buffer.alloc(0);
  let base = options.start ?? 0;
  let found = 0;
  const scan = function* (buffer: Buffer, upTo: number): Iterable<LogMatch> {
    const text = buffer.toString("latin1", 0, upTo);
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null && found < options.limit; match = pattern.exec(text)) {
      const lineStart = text.lastIndexOf("\n", match.index) + 1;
      const newline = text.indexOf("\n", match.index);
      const lineEnd = newline === -1 ? upTo : newline;
      found++;
      yield { offset: base + lineStart, line: buffer.toString("utf8", lineStart, Math.min(lineEnd, lineStart + SHOWN_LINE * 4)).slice(0, SHOWN_LINE) };
      pattern.lastIndex = lineEnd + 1;
    }
  };
  for await (const chunk of chunks) {
    const buffer = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const lastNewline = buffer.lastIndexOf(10);
    const upTo = lastNewline === -1 ? (buffer.length > MAX_LINE ? buffer.length : 0) : lastNewline + 1;
    yield* scan(buffer, upTo);
    if (found >= options.limit) return;
    carry = buffer.subarray(upTo);
    base += upTo;
  }
  if (carry.length > 0) yield* scan(carry, carry.length);
}

function literalPattern(query: string): RegExp {
  const bytes = Buffer.from(query, "utf8").toString("latin1");
  const escaped = bytes.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // Folding case of latin1 characters would fold UTF-8 bytes: only ASCII queries are case-insensitive.
  return new RegExp(escaped, /^[\x00-\x7f]*$/.test(query) ? "gi" : "g");
}
