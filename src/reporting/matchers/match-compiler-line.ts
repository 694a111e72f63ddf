import type { AnnotationLevel, LineMatch } from "./annotation.js";

// gcc, clang, go vet, rustc --error-format=short, tsc --pretty false (unix form), mypy:
//   src/a.c:12:5: error: expected ';'      src/a.c:12: warning: unused
const COLON_FORM = /^(?<file>[^\s:][^\s:]*):(?<line>\d+)(?::(?<col>\d+))?:\s*(?<sev>fatal error|error|warning)(?:\s*\[[^\]]*\])?:\s*(?<msg>\S.*)$/i;
// tsc (default non-pretty), MSBuild:  src/a.ts(12,5): error TS2322: Type 'x' ...
const PAREN_FORM = /^(?<file>[^\s(][^\s(]*)\((?<line>\d+)(?:,(?<col>\d+))?\):\s*(?<sev>error|warning)\s*(?<code>[A-Z]+\d+)?:\s*(?<msg>\S.*)$/i;
// eslint -f unix:  /abs/src/a.js:10:5: Missing semicolon. [Error/semi]
const ESLINT_UNIX = /^(?<file>[^\s:][^\s:]*):(?<line>\d+):(?<col>\d+):\s*(?<msg>\S.*?)\s*\[(?<sev>Error|Warning)(?:\/(?<code>[^\]]+))?\]$/;

/** Matches one output line of a compiler or linter that reports `file:line:col: error|warning: message`. */
export function matchCompilerLine(line: string): LineMatch | undefined {
  for (const pattern of [COLON_FORM, PAREN_FORM, ESLINT_UNIX]) {
    const groups = pattern.exec(line)?.groups;
    if (!groups) continue;
    const { file, line: lineNo, col, sev, msg, code } = groups;
    if (file === undefined || lineNo === undefined || sev === undefined || msg === undefined) continue;
    const match: LineMatch = { file, line: Number(lineNo), level: levelOf(sev), message: msg };
    if (col !== undefined) match.column = Number(col);
    if (code !== undefined) match.title = code;
    return match;
  }
  return undefined;
}

function levelOf(severity: string): AnnotationLevel {
  return severity.toLowerCase() === "warning" ? "warning" : "failure";
}
