/**
 * A stored log is a run of Brotli segments (`.br`; `brotli -d` reads one), each the text of one flushed batch.
 * A segment's name says where its bytes sit in the whole log, so that the
 * listing alone is an index of uncompressed offsets (even of a log whose
 * writer died before it wrote a manifest), and a byte range reads only the
 * segments it overlaps.
 */

/** One segment: `bytes` uncompressed bytes of the log starting at `start`. */
export interface LogSegment {
  path: string;
  seq: number;
  start: number;
  bytes: number;
}

/**
 * Segments sit beside the manifest: a folder of their own would be one more directory made for
 * every run's log, on a file system where each new inode is the costly part of storing a short
 * log. Eve before December 2026 put them in `segments/`: those are read as well.
 */
const SEGMENT_NAME = /^(?:segments\/)?(\d{8})-(\d{15})-(\d{10})\.br$/;

export function segmentPath(seq: number, start: number, bytes: number): string {
  return `${String(seq).padStart(8, "0")}-${String(start).padStart(15, "0")}-${String(bytes).padStart(10, "0")}.br`;
}

/** The segment a path names, or undefined for any other file. */
export function parseSegmentPath(path: string): LogSegment | undefined {
  const match = SEGMENT_NAME.exec(path);
  if (!match) return undefined;
  return { path, seq: Number(match[1]), start: Number(match[2]), bytes: Number(match[3]) };
}

/**
 * The contiguous log the segments make from byte 0: segments are written
 * concurrently, so a writer that died may leave a later one without an
 * earlier one; the log stops at the first gap. A recovered attempt writes on
 * from the end of that log, so a segment of the dead attempt past the gap is
 * superseded by the new attempt's (and ignored when it overlaps).
 */
export function contiguousSegments(segments: readonly LogSegment[]): LogSegment[] {
  const bySeq = [...segments].sort((a, b) => a.seq - b.seq);
  const kept: LogSegment[] = [];
  let end = 0;
  for (const segment of bySeq) {
    if (segment.start !== end) continue;
    kept.push(segment);
    end += segment.bytes;
  }
  return kept;
}

/** Bytes the segments hold in all. */
export function segmentsEnd(segments: readonly LogSegment[]): number {
  const last = segments.at(-1);
  return last === undefined ? 0 : last.start + last.bytes;
}

/** The segments overlapping bytes [start, end). `segments` are contiguous, sorted. */
export function segmentsInRange(segments: readonly LogSegment[], start: number, end: number): LogSegment[] {
  return segments.filter((segment) => segment.start < end && segment.start + segment.bytes > start);
}
