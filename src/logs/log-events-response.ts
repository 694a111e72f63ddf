import type { IncomingMessage, ServerResponse } from "node:http";
import { KeptLogStore } from "./kept-log-store.js";
import { drained } from "./log-raw-response.js";
import { renderEntryEvents, type EntryEvents, type EventRecord } from "./log-entry-events.js";
import type { LogReader, ReadableLogView } from "./log-reader.js";
import { LOG_START, type LogEntry } from "./log-store.js";
import { renderLogRecord } from "./log-text.js";
import type { RedisLogStore } from "./redis-log-store.js";

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
export async function sendEvents(logStore: KeptLogStore | RedisLogStore, reader: LogReader, shared: SharedEntryEvents, run: string, view: ReadableLogView, req: IncomingMessage, res: ServerResponse, heartbeatMs: number): Promise<void> {
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
  const stopFollowing = shared.follow(run);
  try {
    if (cursor === LOG_START && Number.isSafeInteger(tail) && tail > 0) {
      if (logStore instanceof KeptLogStore) ({ cursor, next } = await sendRecentText(redis, reader, run, view, tail, res));
      else cursor = await tailCursor(redis, run, tail);
    }
    for await (const entry of logStore.follow(run, cursor, controller.signal)) {
      const { events, endOffset } = shared.eventsOf(run, entry, next);
      if (endOffset !== undefined) next = Math.max(next ?? 0, endOffset);
      if (events !== "" && !res.write(events)) await drained(res);
    }
  } catch {
    // The store failed mid-stream: end the stream; the browser's EventSource reconnects from the last id.
  } finally {
    stopFollowing();
    clearInterval(heartbeat);
    req.off("close", stop);
    res.end();
  }
}

/** Renderings kept per followed run (an entry holds at most 32 K characters: a few MB at most): a follower further behind renders its own. */
const SHARED_ENTRIES = 64;

/**
 * The events of a live log's newest entries, rendered once for all of its
 * followers: they read the same entries at about the same time, and an
 * entry never changes (Redis gives a stream id once), so its rendering for a
 * follower whose text ends at `next` serves every follower at that point
 * (all of them once in step with the log). Kept only while the run has
 * followers, and only its last SHARED_ENTRIES renderings.
 */
export class SharedEntryEvents {
  readonly #runs = new Map<string, { followers: number; renderings: Map<string, EntryEvents> }>();

  /** A follower of `run` starts; the function returned says it stopped. */
  follow(run: string): () => void {
    let shared = this.#runs.get(run);
    if (!shared) {
      shared = { followers: 0, renderings: new Map() };
      this.#runs.set(run, shared);
    }
    shared.followers++;
    const followed = shared;
    return () => {
      if (--followed.followers === 0) this.#runs.delete(run);
    };
  }

  /** `entry`'s events for a follower of `run` (see follow) whose text so far ends at `next`. */
  eventsOf(run: string, entry: LogEntry, next: number | undefined): EntryEvents {
    const renderings = this.#runs.get(run)?.renderings;
    if (renderings === undefined) return renderEntryEvents(entry, next);
    const key = `${entry.id} ${next}`;
    let events = renderings.get(key);
    if (events === undefined) {
      events = renderEntryEvents(entry, next);
      renderings.set(key, events);
      // A Map keeps insertion order: the first key is the oldest rendering.
      if (renderings.size > SHARED_ENTRIES) renderings.delete(renderings.keys().next().value as string);
    }
    return events;
  }
}

/**
 * Sends about the last `bytes` of the log, from a line's start, read whole
 * (the store's part and Redis') as the page's `view` (the request's one
 * lookup) saw it; returns the cursor to follow Redis from (its newest entry
 * then, again: it may be the end) and where the text sent ends.
 */
async function sendRecentText(redis: RedisLogStore, reader: LogReader, run: string, view: ReadableLogView, bytes: number, res: ServerResponse): Promise<{ cursor: string; next: number | undefined }> {
  // The view's text holds what comes before the newest entry it read; a log the store holds whole needs only Redis' end line.
  const newest = view.newestEntry ?? (await redis.readBackwards(run, undefined, 1))[0]?.id;
  const cursor = newest === undefined ? LOG_START : cursorBefore(newest);
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
