import type { LogEnd, LogRecord } from "./log-store.js";

/**
 * A record as the text of the whole log (`/raw`, the store): the one
 * rendering both the store's writer and the readers of Redis' live part use,
 * so that byte offsets agree wherever the bytes come from. The store keeps
 * everything, so Redis' own truncation notes are not part of the text.
 */
export function renderLogRecord(record: LogRecord): string {
  switch (record.kind) {
    case "text":
      return record.text;
    case "step":
      return `\n── step ${record.index + 1}: ${record.name} ──\n`;
    case "info":
      return `${record.line}\n`;
    case "link":
      return `${record.name}: ${record.url}\n`;
    case "truncated":
      return "";
    case "end":
      return `\n── ${endText(record.end)} ──\n`;
  }
}

/** "failure: exited 1"; stage summaries that already start with their result ("failure: step 'x' exited 3", "success") are not prefixed twice. */
export function endText(end: LogEnd): string {
  return end.summary === "" ? end.result : end.summary.startsWith(end.result) ? end.summary : `${end.result}: ${end.summary}`;
}
