// CSI sequences (colours, cursor moves, `\x1b[K`), OSC sequences (titles, hyperlinks) and lone escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** The text without ANSI escape sequences, as a reader of plain text wants it. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
