import type { LogEnd, LogRecord } from "./log-store.js";

/**
 * Records as Redis stream fields: a stream entry is a list of (field, value)
 * pairs in which a field may repeat, so one entry holds a batch of records in
 * order. Field names are one letter to keep entries small.
 */
export function encodeRecord(record: LogRecord): [string, string] {
  switch (record.kind) {
    case "text":
      return ["t", record.text];
    case "step":
      return ["s", `${record.index}\t${record.name}`];
    case "info":
      return ["i", record.line];
    case "link":
      return ["l", JSON.stringify([record.name, record.url])];
    case "truncated":
      return ["x", record.note];
    case "end":
      return ["e", JSON.stringify(record.end)];
  }
}

/** The field that carries an entry's byte offset in the whole log (its first field, when present). */
export const OFFSET_FIELD = "o";

/** The records of one stream entry; unknown fields (a newer writer) are skipped. */
export function decodeFields(fields: readonly string[]): LogRecord[] {
  return decodeEntry(fields).records;
}

/** The records of one stream entry and the byte offset of its first record in the whole log (absent in logs written before Eve kept them whole). */
export function decodeEntry(fields: readonly string[]): { records: LogRecord[]; offset: number | undefined } {
  const records: LogRecord[] = [];
  let offset: number | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1] as string;
    switch (fields[i]) {
      case OFFSET_FIELD:
        offset = Number(value);
        break;
      case "t":
        records.push({ kind: "text", text: value });
        break;
      case "s": {
        const tab = value.indexOf("\t");
        records.push({ kind: "step", index: Number(value.slice(0, tab)), name: value.slice(tab + 1) });
        break;
      }
      case "i":
        records.push({ kind: "info", line: value });
        break;
      case "l": {
        const [name, url] = JSON.parse(value) as [string, string];
        records.push({ kind: "link", name, url });
        break;
      }
      case "x":
        records.push({ kind: "truncated", note: value });
        break;
      case "e":
        records.push({ kind: "end", end: JSON.parse(value) as LogEnd });
        break;
    }
  }
  return { records, offset };
}
