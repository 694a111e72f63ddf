import type { LogEntry, LogRecord } from "./log-store.js";
import { renderLogRecord } from "./log-text.js";

/** An event's records, the first telling where they start in the whole log. */
export type EventRecord = LogRecord | { kind: "at"; offset: number };

/** A Redis entry as the `/events` stream sends it. */
export interface EntryEvents {
  /** Its `records` event (and its `end` event), or "" when it holds nothing the browser has not seen. */
  events: string;
  /** Where its text ends in the whole log (undefined for an entry that does not know its offset). */
  endOffset: number | undefined;
}

/**
 * `entry` as a `records` event (its id on it, unless the entry ends the log:
 * then the `end` event carries it, so that a browser that reconnects resumes
 * after what it has seen whole), for a follower whose text ends at `next`.
 */
export function renderEntryEvents(entry: LogEntry, next: number | undefined): EntryEvents {
  const end = entry.records.find((record) => record.kind === "end");
  const data = unseenRecords(entry, next);
  const endOffset = entry.offset === undefined ? undefined : entry.offset + Buffer.byteLength(entry.records.map(renderLogRecord).join(""));
  let events = data.some((record) => record.kind !== "at") ? `${end ? "" : `id: ${entry.id}\n`}event: records\ndata: ${JSON.stringify(data)}\n\n` : "";
  if (end?.kind === "end") events += `id: ${entry.id}\nevent: end\ndata: ${JSON.stringify(end.end)}\n\n`;
  return { events, endOffset };
}

/**
 * The entry's records the browser has not been sent (those from byte `next`
 * on), after a note where output between `next` and the entry is only in the
 * whole log.
 */
function unseenRecords(entry: LogEntry, next: number | undefined): EventRecord[] {
  const records = entry.records.filter((record) => record.kind !== "end");
  if (entry.offset === undefined) return records;
  if (next === undefined || entry.offset === next) return [{ kind: "at", offset: entry.offset }, ...records];
  if (entry.offset > next) return [{ kind: "at", offset: next }, { kind: "truncated", note: `${entry.offset - next} bytes of output here are not shown live: they are in the whole log` }, ...records];
  // Written to Redis after the whole log's text the browser was sent began: only its rest is news.
  const unseen: LogRecord[] = [];
  let position = entry.offset;
  for (const record of records) {
    const bytes = Buffer.from(renderLogRecord(record));
    if (position >= next) unseen.push(record);
    else if (record.kind === "text" && position + bytes.length > next) unseen.push({ kind: "text", text: bytes.subarray(next - position).toString("utf8") });
    position += bytes.length;
  }
  return unseen.length === 0 ? [] : [{ kind: "at", offset: next }, ...unseen];
}
