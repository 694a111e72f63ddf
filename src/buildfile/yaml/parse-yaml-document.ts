/**
 * Text → the `yaml` package's AST for the single document PyYAML would read,
 * with guards that keep hostile input bounded: a size cap, PyYAML's printable
 * character rule (binary garbage fails at its first byte), and a nesting cap
 * checked while the parser runs, before any recursive code sees the tree.
 */
import { Composer, Lexer, LineCounter, Parser, type Document } from "yaml";
import type { CST } from "yaml";

type Token = CST.Token;

/** Limits on what the loader accepts. */
export interface YamlLimits {
  /**
   * Largest accepted text, in characters (default 1 MiB). The `yaml` parser
   * takes ≈ 1.5 s per MB of dense flow collections, on the app's event loop;
   * the largest real build file (metalk8s) is 124 KB.
   */
  maxSize: number;
  /** Deepest accepted nesting of collections (default 200). */
  maxDepth: number;
  /** Most nodes the document may hold once aliases and merges are expanded (default 1,000,000). */
  maxNodes: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxSize: 1024 * 1024, maxDepth: 200, maxNodes: 1_000_000 };

/** A problem with its 0-based offset in the text. */
export interface OffsetProblem {
  offset: number;
  message: string;
}

export type ParsedYaml =
  | { document: Document.Parsed; lineCounter: LineCounter }
  | { document: undefined; lineCounter: LineCounter; problem?: OffsetProblem };

// PyYAML's Reader.NON_PRINTABLE: what may appear in a yaml stream.
const NON_PRINTABLE = /[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Parses `text` to one document; `document` is undefined for an empty stream or on a problem. */
export function parseYamlDocument(text: string, limits: YamlLimits): ParsedYaml {
  const lineCounter = new LineCounter();
  if (text.length > limits.maxSize) {
    const message = `file is too large (${text.length} characters, the limit is ${limits.maxSize})`;
    return { document: undefined, lineCounter, problem: { offset: 0, message } };
  }
  const bad = NON_PRINTABLE.exec(text);
  if (bad) {
    const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
    const problem = { offset: bad.index, message: `special characters are not allowed (#x${code}): not a text yaml file` };
    return { document: undefined, lineCounter: countLines(text), problem };
  }
  const tokens = parseTokens(text, lineCounter, limits.maxDepth);
  if ("problem" in tokens) return { document: undefined, lineCounter, problem: tokens.problem };

  const composer = new Composer({ version: "1.1", schema: "failsafe", uniqueKeys: false, merge: false, keepSourceTokens: false });
  const documents = [...composer.compose(tokens.tokens)];
  const [document, second] = documents;
  if (!document) return { document: undefined, lineCounter };
  const error = document.errors[0];
  if (error) return { document: undefined, lineCounter, problem: { offset: error.pos[0], message: cleanMessage(error.message) } };
  if (second) {
    const message = "expected a single document in the stream, but found another document";
    return { document: undefined, lineCounter, problem: { offset: second.range[0], message } };
  }
  return { document, lineCounter };
}

/** Runs the lexer and parser by hand so nesting can be capped as it grows. */
function parseTokens(text: string, lineCounter: LineCounter, maxDepth: number): { tokens: Token[] } | { problem: OffsetProblem } {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  const tokens: Token[] = [];
  for (const lexeme of new Lexer().lex(text, false)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    // Each open collection (block or flow) is one entry of the parser's stack.
    if (parser.stack.length > maxDepth + 2) {
      return { problem: { offset: parser.offset, message: `yaml nesting is too deep (more than ${maxDepth} levels)` } };
    }
  }
  for (const token of parser.end()) tokens.push(token);
  return { tokens };
}

function countLines(text: string): LineCounter {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) lineCounter.addNewLine(index + 1);
  return lineCounter;
}

/** The `yaml` package appends a source excerpt after the first line; our messages are one line. */
function cleanMessage(message: string): string {
  return message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? message;
}
