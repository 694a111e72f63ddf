import { stripAnsi } from "../strip-ansi.js";
import type { Annotation, LineMatch } from "./annotation.js";
import { matchCompilerLine } from "./match-compiler-line.js";
import { matchWorkflowCommand } from "./match-workflow-command.js";
import { relativePath } from "../../engine/relative-path.js";

export interface AnnotationCollectorOptions {
  /** Checkout directories whose absolute paths are made repository-relative. */
  roots?: readonly string[];
  /** How many annotations one stage run keeps (default 1000); the rest are counted in `dropped`. */
  max?: number;
}

// GitHub's limits on one annotation (the Checks API documentation).
const MAX_MESSAGE = 64_000;
const MAX_TITLE = 255;
// A "line" longer than this is not a diagnostic; do not hold more of it in memory.
const MAX_LINE = 16_384;
/**
 * Every line a matcher takes holds one of these words (the compiler forms' severity, a workflow
 * command's name); an escape sequence may split one (coloured output), so text with one is looked at too.
 * It also holds a colon (every form has one): a new matcher must keep both true.
 */
const MAY_MATCH = /error|warning|::notice|\x1b/i;

/**
 * Turns a stage's output, in arbitrary chunks, into check-run annotations:
 * splits lines across chunks, strips ANSI colours, runs the problem matchers,
 * drops duplicates, and keeps at most `max`.
 */
export class AnnotationCollector {
  readonly annotations: Annotation[] = [];
  /** Matches beyond the cap (not deduplicated: remembering them would not be bounded). */
  dropped = 0;
  readonly #roots: readonly string[];
  readonly #max: number;
  readonly #seen = new Set<string>();
  #partial = "";

  constructor(options: AnnotationCollectorOptions = {}) {
    this.#roots = options.roots ?? [];
    this.#max = options.max ?? 1000;
  }

  /** Feeds a chunk of output. */
  push(text: string): void {
    const end = text.lastIndexOf("\n");
    if (end === -1) {
      const rest = this.#partial + text;
      this.#partial = rest.length > MAX_LINE ? "" : rest;
      return;
    }
    // The line held from earlier chunks ends here; the chunk's other lines are looked at in place (no
    // word of MAY_MATCH spans a line break), so the chunk is not copied.
    const first = text.indexOf("\n");
    const firstLine = this.#partial + text.slice(0, first);
    if (MAY_MATCH.test(firstLine)) this.#line(firstLine);
    // Most output holds no line any matcher could take: then it is not split into lines at all.
    if (first < end) {
      const lines = text.slice(first + 1, end);
      // Every form a matcher takes holds a colon: output without one (counters, tables, plain text) is
      // passed over at memchr speed, before the slower scan for MAY_MATCH's words.
      if (lines.includes(":") && MAY_MATCH.test(lines)) for (const line of lines.split("\n")) this.#line(line);
    }
    const rest = text.slice(end + 1);
    this.#partial = rest.length > MAX_LINE ? "" : rest;
  }

  /** Ends the output (a step ended): the last line counts even without a newline. */
  end(): void {
    if (this.#partial !== "") this.#line(this.#partial);
    this.#partial = "";
  }

  #line(raw: string): void {
    if (raw.length > MAX_LINE) return;
    const line = stripAnsi(raw).replace(/\r$/, "").replace(/^.*\r/, "");
    const match = matchWorkflowCommand(line) ?? matchCompilerLine(line);
    if (!match) return;
    const annotation = toAnnotation(match, this.#roots);
    if (!annotation) return;
    const key = `${annotation.path}:${annotation.start_line}:${annotation.start_column ?? ""}:${annotation.annotation_level}:${annotation.message}`;
    if (this.#seen.has(key)) return;
    if (this.annotations.length >= this.#max) {
      this.dropped++;
      return;
    }
    this.#seen.add(key);
    this.annotations.push(annotation);
  }
}

/** A match as the Checks API accepts it, or undefined when its file is not in the repository. */
export function toAnnotation(match: LineMatch, roots: readonly string[]): Annotation | undefined {
  const path = relativePath(match.file, roots);
  if (path === undefined) return undefined;
  const endLine = Math.max(match.endLine ?? match.line, match.line);
  const annotation: Annotation = {
    path,
    start_line: match.line,
    end_line: endLine,
    annotation_level: match.level,
    message: match.message.slice(0, MAX_MESSAGE) || "(no message)",
  };
  // GitHub takes columns only on one-line annotations.
  if (endLine === match.line && match.column !== undefined) {
    annotation.start_column = match.column;
    annotation.end_column = Math.max(match.endColumn ?? match.column, match.column);
  }
  if (match.title) annotation.title = match.title.slice(0, MAX_TITLE);
  return annotation;
}
