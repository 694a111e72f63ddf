import type { AnnotationLevel, LineMatch } from "./annotation.js";

const COMMAND = /^::(?<cmd>error|warning|notice)(?:\s+(?<props>[^:]*))?::(?<msg>.*)$/;
const LEVELS: Record<string, AnnotationLevel> = { error: "failure", warning: "warning", notice: "notice" };

/**
 * Matches a GitHub Actions workflow command, `::error file=a.c,line=3,col=1,endLine=4,title=T::message`
 * (also `::warning` and `::notice`), unescaping as @actions/core escapes. A command
 * without `file` has nowhere to go in a check run and is not matched.
 */
export function matchWorkflowCommand(line: string): LineMatch | undefined {
  const groups = COMMAND.exec(line.trim())?.groups;
  if (!groups?.cmd) return undefined;
  const props = parseProperties(groups.props ?? "");
  const file = props.get("file");
  if (!file) return undefined;
  const match: LineMatch = {
    file,
    line: positive(props.get("line")) ?? 1,
    level: LEVELS[groups.cmd] ?? "notice",
    message: unescapeData(groups.msg ?? ""),
  };
  const column = positive(props.get("col"));
  const endLine = positive(props.get("endLine"));
  const endColumn = positive(props.get("endColumn"));
  const title = props.get("title");
  if (column !== undefined) match.column = column;
  if (endLine !== undefined) match.endLine = endLine;
  if (endColumn !== undefined) match.endColumn = endColumn;
  if (title) match.title = title;
  return match;
}

function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0) props.set(pair.slice(0, eq).trim(), unescapeProperty(pair.slice(eq + 1)));
  }
  return props;
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

function unescapeData(text: string): string {
  return text.replace(/%0D/gi, "\r").replace(/%0A/gi, "\n").replace(/%25/g, "%");
}

function unescapeProperty(text: string): string {
  return unescapeData(text.replace(/%3A/gi, ":").replace(/%2C/gi, ","));
}
