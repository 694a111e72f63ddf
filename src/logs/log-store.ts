/** One thing in a stage run's log. */
export type LogRecord =
  /** Output of a step (decoded, secret-masked by the engine; arbitrary chunks, not lines). */
  | { kind: "text"; text: string }
  /** A step starts: the page shows a header. */
  | { kind: "step"; index: number; name: string }
  /** A line Eve writes itself (spawn progress, notes). */
  | { kind: "info"; line: string }
  /** A link a step added (an uploaded artifact): the page shows an anchor. */
  | { kind: "link"; name: string; url: string }
  /** The store dropped output here to stay within its size cap. */
  | { kind: "truncated"; note: string }
  /** The run is over: nothing follows. */
  | { kind: "end"; end: LogEnd };

/** How the run ended, as the log page shows it. */
export interface LogEnd {
  /** The stage's result as the engine names it (Buildbot's: success, failure, …); the page shows it as is. */
  result: string;
  summary: string;
  durationMs?: number;
}

/** Records stored together; `id` is the cursor to read after them. */
export interface LogEntry {
  id: string;
  records: LogRecord[];
  /** Byte offset of the first record in the whole log (undefined in logs written before Eve kept them whole). */
  offset?: number;
}

export interface LogPage {
  entries: LogEntry[];
  /** Pass back to read on; the cursor passed in when nothing was read. */
  cursor: string;
  /** False when the run has no log (unknown, not yet started, or expired). */
  exists: boolean;
}

/** The cursor before the first entry. */
export const LOG_START = "0-0";

/**
 * An append-only log per stage run (key: the run id), readable while it is
 * written (live tail), bounded in size whatever the output, kept for a
 * retention period. Writers never throw into the engine: write errors go to
 * the store's error callback.
 */
export interface LogStore {
  /** Appends output text; buffered. Returns a promise (to pause the producer) while too much is unwritten. */
  append(run: string, text: string): void | Promise<void>;
  /** Marks the start of a step. */
  appendStep(run: string, index: number, name: string): void;
  /** Appends a line Eve writes itself. */
  appendInfo(run: string, line: string): void;
  /** Appends a link a step added (an artifact). */
  appendLink(run: string, name: string, url: string): void;
  /**
   * The stage runs again after its worker process was lost: says so in the
   * log, and where the lost attempt's kept log ends.
   */
  appendLost(run: string): Promise<void>;
  /**
   * Writes everything buffered, then the end marker; resolves once the log is kept for its retention.
   * `whole`, when given, is called as soon as a reader of the log sees every line and the end: before
   * the promise, when the store keeps the log somewhere it is not read from first.
   */
  finish(run: string, end: LogEnd, whole?: () => void): Promise<void>;
  /** Entries after `cursor` (default: from the start), at most `count`. */
  read(run: string, cursor?: string, count?: number): Promise<LogPage>;
  /**
   * Entries after `cursor` as they are written, until (and including) the one
   * holding the end record, or until `signal` aborts.
   */
  follow(run: string, cursor: string, signal: AbortSignal): AsyncIterable<LogEntry>;
  /** Writes everything buffered, for every run. */
  flush(): Promise<void>;
  /**
   * Begins a run's log with `line` (the "Queued" line), from a process that
   * may not be the one that runs it; resolves once it is written where the
   * worker that runs the stage writes on after it.
   */
  appendQueued(run: string, line: string): Promise<void>;
}
