import type { ValidationMessage } from "./types.js";

/** One line per problem, as compilers print them: `FILE:LINE:COL: error|warning: MESSAGE`. */
export function formatMessage(message: ValidationMessage): string {
  // A message is one line: a newline inside would forge another problem line.
  const text = message.message.replace(/[\r\n]+/g, " ");
  return `${message.file}:${message.line}:${message.column}: ${message.severity}: ${text}`;
}
