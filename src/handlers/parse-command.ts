/**
 * Finds an Eve command in a pull-request comment: the first line that starts
 * with `/eve` (outside fenced code blocks). Pure and bounded: a huge comment
 * or argument is refused with a short reason, never scanned without limit.
 * Properties given to `/eve rerun` are plain data (job data, then
 * `%(prop:…)s` interpolation only): nothing here reaches a shell.
 */
import { isPromotionTag } from "../artifacts/promote-container.js";

/** A command Eve understands. */
export type EveCommand =
  /** `stage` undefined: every stage of the latest build that did not succeed. */
  | { kind: "rerun"; stage: string | undefined; properties: Record<string, string> }
  | { kind: "cancel" }
  | { kind: "help" }
  | { kind: "approve" }
  /** Copy the head commit's artifacts to `<prefix>promoted-<tag>`, kept forever. */
  | { kind: "promote"; tag: string };

export type ParsedComment =
  /** No command in the comment: Eve says nothing. */
  | { type: "none" }
  | { type: "command"; command: EveCommand }
  /** A command Eve cannot accept; `reason` is one short sentence for the reply. */
  | { type: "invalid"; reason: string };

/** GitHub's own limit on a comment's body. */
export const MAX_COMMENT_CHARS = 65_536;
const MAX_LINE_CHARS = 4_096;
const MAX_PROPERTIES = 20;
const MAX_VALUE_CHARS = 1_024;
const MAX_STAGE_CHARS = 200;
/** Buildbot's property names: identifiers, with dots and dashes as Eve's files use them. */
const PROPERTY_KEY = /^[A-Za-z_][\w.-]{0,63}$/;
/** Stage names are the build file's mapping keys: anything printable, spaces included ("unit tests"). */
const STAGE_NAME = /^[^\p{Cc}=`]+$/u;
/** Control characters other than tab: no newline or escape may hide in a value. */
const CONTROL = /[\p{Cc}]/u;

/**
 * Properties that say what is built and how Eve bookkeeps it: forcing them
 * would build another revision or repository than the check run claims.
 */
export const RESERVED_PROPERTIES: ReadonlySet<string> = new Set([
  "branch",
  "revision",
  "repository",
  "project",
  "git_reference",
  "git_repo",
  "git_host",
  "git_owner",
  "git_slug",
  "buildnumber",
  "bootstrap",
  "stage_name",
  "virtual_builder_name",
  "buildername",
  "scheduler",
  "eve_api_version",
  "max_step_duration",
]);

const COMMAND = /^\/eve(?:\s+|$)/i;

export function parseCommand(body: string): ParsedComment {
  const found = findCommandLine(body);
  if (found === undefined) return { type: "none" };
  if (body.length > MAX_COMMENT_CHARS) return invalid(`the comment is too long (${body.length} characters; at most ${MAX_COMMENT_CHARS})`);
  if (found.tooLong) return invalid(`the command line is too long (at most ${MAX_LINE_CHARS} characters)`);
  const line = found.line;
  const tokens = tokenize(line.replace(COMMAND, ""));
  if (typeof tokens === "string") return invalid(tokens);
  const [verb, ...args] = tokens;
  switch (verb?.toLowerCase()) {
    case undefined:
      return invalid("`/eve` needs a command");
    case "rerun":
      return parseRerun(args);
    case "promote": {
      const [tag, ...extra] = args;
      if (tag === undefined || extra.length > 0) return invalid("`/eve promote` takes one tag: `/eve promote 1.2.3`");
      if (!isPromotionTag(tag)) return invalid(`\`${shorten(tag)}\` is not a tag Eve promotes to (letters, digits, . _ + -, no '/')`);
      return { type: "command", command: { kind: "promote", tag } };
    }
    case "cancel":
    case "help":
    case "approve": {
      const kind = verb.toLowerCase() as "cancel" | "help" | "approve";
      if (args.length > 0) return invalid(`\`/eve ${kind}\` takes no arguments`);
      return { type: "command", command: { kind } };
    }
    default:
      return invalid(`unknown command \`${shorten(verb ?? "")}\``);
  }
}

/** The first `/eve` line outside fenced code; stops looking after GitHub's limit (a longer body is refused anyway). */
function findCommandLine(body: string): { line: string; tooLong: boolean } | undefined {
  let fenced = false;
  let start = 0;
  const end = Math.min(body.length, MAX_COMMENT_CHARS + 1);
  while (start < end) {
    let stop = body.indexOf("\n", start);
    if (stop < 0) stop = body.length;
    const tooLong = stop - start > MAX_LINE_CHARS;
    const line = body.slice(start, tooLong ? start + MAX_LINE_CHARS : stop).trim();
    start = stop + 1;
    if (line.startsWith("```") || line.startsWith("~~~")) fenced = !fenced;
    else if (!fenced && COMMAND.test(line)) return { line, tooLong };
  }
  return undefined;
}

function parseRerun(args: string[]): ParsedComment {
  // The words before the first key=value name the stage: `/eve rerun unit tests`
  // and `/eve rerun "unit tests"` both rerun the stage `unit tests`.
  const words: string[] = [];
  const properties: Record<string, string> = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const arg of args) {
    const eq = /^["']/.test(arg) ? -1 : arg.indexOf("=");
    if (eq < 0) {
      if (count > 0) return invalid(`expected key=value after the stage name, got \`${shorten(arg)}\``);
      words.push(unquote(arg));
      continue;
    }
    const key = arg.slice(0, eq);
    const value = unquote(arg.slice(eq + 1));
    if (!PROPERTY_KEY.test(key)) return invalid(`\`${shorten(key)}\` is not a property name (letters, digits, _ . -; at most 64)`);
    if (RESERVED_PROPERTIES.has(key)) return invalid(`property \`${key}\` is set by Eve and cannot be forced`);
    if (Object.hasOwn(properties, key)) return invalid(`property \`${key}\` is given twice`);
    if (value.length > MAX_VALUE_CHARS) return invalid(`the value of \`${key}\` is too long (at most ${MAX_VALUE_CHARS} characters)`);
    if (CONTROL.test(value)) return invalid(`the value of \`${key}\` holds control characters`);
    if (++count > MAX_PROPERTIES) return invalid(`too many properties (at most ${MAX_PROPERTIES})`);
    properties[key] = value;
  }
  const stage = words.length === 0 ? undefined : words.join(" ").trim();
  if (stage !== undefined && (stage.length > MAX_STAGE_CHARS || !STAGE_NAME.test(stage))) return invalid(`\`${shorten(stage)}\` is not a stage name`);
  return { type: "command", command: { kind: "rerun", stage, properties: { ...properties } } };
}

/** Splits on whitespace; a value, or a whole word, may be quoted ('…' or "…") to hold spaces. */
function tokenize(text: string): string[] | string {
  const tokens: string[] = [];
  const pattern = /\S*?=(?:"[^"]*"|'[^']*')(?=\s|$)|(?:"[^"]*"|'[^']*')(?=\s|$)|\S+/gy;
  let rest = text.trim();
  while (rest !== "") {
    pattern.lastIndex = 0;
    const match = pattern.exec(rest);
    if (!match) return "unbalanced quotes";
    const token = match[0];
    if (/^[^=]*=["']/.test(token) && !/^[^=]*=(?:"[^"]*"|'[^']*')$/.test(token)) return `unbalanced quotes in \`${shorten(token)}\``;
    if (/^["']/.test(token) && !/^(?:"[^"]*"|'[^']*')$/.test(token)) return `unbalanced quotes in \`${shorten(token)}\``;
    tokens.push(token);
    rest = rest.slice(token.length).trimStart();
  }
  return tokens;
}

function unquote(value: string): string {
  const quoted = /^(?:"([^"]*)"|'([^']*)')$/.exec(value);
  return quoted ? (quoted[1] ?? quoted[2] ?? "") : value;
}

function shorten(text: string): string {
  const printable = text.replace(/[\p{Cc}`]/gu, "?");
  return printable.length > 40 ? `${printable.slice(0, 39)}…` : printable;
}

function invalid(reason: string): ParsedComment {
  return { type: "invalid", reason };
}
