import type { IncomingMessage, ServerResponse } from "node:http";
import { KeptLogStore } from "./kept-log-store.js";
import { drained } from "./log-raw-response.js";
import type { LogReader } from "./log-reader.js";
import { LOG_START, type LogEntry, type LogRecord } from "./log-store.js";
import { renderLogRecord } from "./log-text.js";
import type { RedisLogStore } from "./redis-log-store.js";

/** An event's records, the first telling where they start in the whole log. */
type EventRecord = LogRecord | { kind: "at"; offset: number };

/**
 * Server-sent events: `records` events (JSON arrays of records, `id` = the
 * cursor, so a reconnecting EventSource resumes via Last-Event-ID), then one
 * `end` event with the result, then the stream closes. An entry that knows
 * its byte offset in the whole log starts with `{"kind":"at","offset":N}`.
 * `?tail=N`: start about N bytes before the end, not at the start; of a log
 * kept whole, those bytes are read from the whole log (past its head, Redis
 * holds only what the store did not hold yet). Where Redis left output out,
 * a `truncated` record says so.
 */
export async function sendEvents(logStore: KeptLogStore | RedisLogStore, reader: LogReader, run: string, req: IncomingMessage, res: ServerResponse, heartbeatMs: number): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  req.once("close", stop);
  res.once("close", stop);
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no", connection: "keep-alive" });
  res.write("retry: 2000\n\n");
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
  const lastEventId = req.headers["last-event-id"];
  const tail = Number(new URL(req.url ?? "/", "http://localhost").searchParams.get("tail") ?? "");
  const redis = logStore instanceof KeptLogStore ? logStore.redis : logStore;
  let cursor = typeof lastEventId === "string" && /^\d+-\d+$/.test(lastEventId) ? lastEventId : LOG_START;
  /** Where what the browser was sent ends in the whole log, when known. */
  let next: number | undefined;
  try {
    if (cursor === LOG_START && Number.isSafeInteger(tail) && tail > 0) {
      if (logStore instanceof KeptLogStore) ({ cursor, next } = await sendRecentText(redis, reader, run, tail, res));
      else cursor = await tailCursor(redis, run, tail);
    }
    for await (const entry of logStore.follow(run, cursor, controller.signal)) {
      const end = entry.records.find((record) => record.kind === "end");
      const data = unseenRecords(entry, next);
      if (entry.offset !== undefined) next = Math.max(next ?? 0, entry.offset + Buffer.byteLength(entry.records.map(renderLogRecord).join("")));
      // The id goes on the entry's last event: a browser that reconnects resumes after what it has seen whole.
      let events = data.some((record) => record.kind !== "at") ? `${end ? "" : `id: ${entry.id}\n`}event: records\ndata: ${JSON.stringify(data)}\n\n` : "";
      if (end?.kind === "end") events += `id: ${entry.id}\nevent: end\ndata: ${JSON.stringify(end.end)}\n\n`;
      if (events !== "" && !res.write(events)) await drained(res);
    }
  } catch {
    // The store failed mid-stream: end the stream; the browser's EventSource reconnects from the last id.
  } finally {
    clearInterval(heartbeat);
    req.off("close", stop);
    res.end();
  }
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

/**
 * Sends about the last `bytes` of the log, from a line's start, read whole
 * (the store's part and Redis'); returns the cursor to follow Redis from
 * (its newest entry then, again: it may be the end) and where the text sent ends.
 */
async function sendRecentText(redis: RedisLogStore, reader: LogReader, run: string, bytes: number, res: ServerResponse): Promise<{ cursor: string; next: number | undefined }> {
  // Before the view: whatever Redis gets after this entry, the view's text holds what comes before it.
  const newest = (await redis.readBackwards(run, undefined, 1))[0];
  const cursor = newest === undefined ? LOG_START : cursorBefore(newest.id);
  const view = await reader.view(run);
  if (!("bytes" in view)) return { cursor, next: undefined };
  // A finished log's end line is the end event's to show.
  const end = view.end === undefined ? view.bytes : view.bytes - Buffer.byteLength(renderLogRecord({ kind: "end", end: view.end }));
  let start = Math.max(0, end - bytes);
  const chunks: Buffer[] = [];
  for await (const chunk of reader.read(run, view, start, end)) chunks.push(chunk);
  let text = Buffer.concat(chunks);
  const lineStart = start > 0 ? text.indexOf(10) + 1 : 0;
  text = text.subarray(lineStart);
  start += lineStart;
  if (text.length > 0) {
    const data: EventRecord[] = [{ kind: "at", offset: start }, { kind: "text", text: text.toString("utf8") }];
    if (!res.write(`event: records\ndata: ${JSON.stringify(data)}\n\n`)) await drained(res);
  }
  return { cursor, next: end };
}

/** The cursor from which following sends about the last `bytes` of the log, starting at an entry that knows its offset. */
async function tailCursor(redis: RedisLogStore, run: string, bytes: number): Promise<string> {
  let seen = 0;
  for (let before: string | undefined; ; ) {
    const page = await redis.readBackwards(run, before, 100);
    if (page.length === 0) return LOG_START;
    for (const entry of page) {
      seen += entry.records.reduce((sum, record) => sum + (record.kind === "text" ? record.text.length : 0), 0);
      if (seen >= bytes && entry.offset !== undefined) return cursorBefore(entry.id);
    }
    before = page.at(-1)?.id;
  }
}

/** The stream id just before `id` (XREAD reads after its cursor). */
function cursorBefore(id: string): string {
  const [ms, seq] = id.split("-").map(BigInt) as [bigint, bigint];
  return seq > 0n ? `${ms}-${seq - 1n}` : `${ms - 1n}-18446744073709551615`;
}
