/** Annotation levels as the Checks API names them. */
export type AnnotationLevel = "notice" | "warning" | "failure";

/**
 * One check-run annotation, in the Checks API's own shape (snake_case), so it
 * is sent as is. `start_column`/`end_column` only when the annotation is on one line.
 */
export interface Annotation {
  /** Path relative to the repository root. */
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: AnnotationLevel;
  /** At most 64 KB (GitHub). */
  message: string;
  /** At most 255 characters (GitHub). */
  title?: string;
}

/** What a matcher finds on one line, before paths are made relative and limits applied. */
export interface LineMatch {
  file: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  level: AnnotationLevel;
  message: string;
  title?: string;
}
