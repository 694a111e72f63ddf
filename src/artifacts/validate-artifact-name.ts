/**
 * The only gate between untrusted strings (build files, tar entries, URLs) and store keys: a
 * name or path that passes here is safe as a key and, below a store's root, as a file system path.
 */
import { ArtifactNameError } from "./artifact-errors.js";

/** S3's key limit; file systems allow 4096 but the stores must agree. */
const MAX_PATH_BYTES = 1024;
/** Linux's NAME_MAX: one path segment is one directory entry on disk. */
const MAX_SEGMENT_BYTES = 255;
const MAX_CONTAINER_BYTES = 255;

// C0 controls (NUL included), DEL, and backslash (a separator to some readers: `..\x` tricks).
const FORBIDDEN_CHARACTER = /[\u0000-\u001f\u007f\\]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// `.` and `..` however spelled: percent-encoded once or twice (`%2e`, `%252e`).
const DOT_SEGMENT = /^(?:\.|%2e|%252e){1,2}$/i;

/**
 * Checks a file path inside a container: relative, `/`-separated, no empty, `.` or `..` segments
 * (encoded ones included), no control characters or backslashes. Returns it unchanged.
 */
export function validateArtifactPath(path: string): string {
  const problem = describePathProblem(path);
  if (problem !== undefined) throw new ArtifactNameError(`artifact path ${JSON.stringify(path)} refused: ${problem}`);
  return path;
}

/**
 * Checks a folder prefix for listings: `""` (the top) or a valid path, with or without a trailing
 * `/`. Returns it without the trailing slash.
 */
export function validateArtifactFolder(folder: string): string {
  const trimmed = folder.endsWith("/") ? folder.slice(0, -1) : folder;
  if (trimmed === "") return "";
  const problem = describePathProblem(trimmed);
  if (problem !== undefined) throw new ArtifactNameError(`artifact folder ${JSON.stringify(folder)} refused: ${problem}`);
  return trimmed;
}

/**
 * Checks a container name such as `github:owner:repo:staging-1.2.3.r201231235959.abcdef1234.pre-merge.00000042`:
 * starts with a letter or digit, then letters, digits and `._:@+-`, no `..`, at most 255 bytes.
 */
export function validateContainerName(name: string): string {
  let problem: string | undefined;
  if (name === "") problem = "it is empty";
  else if (Buffer.byteLength(name) > MAX_CONTAINER_BYTES) problem = `it is longer than ${MAX_CONTAINER_BYTES} bytes`;
  else if (!/^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/.test(name)) {
    problem = "expected a letter or digit, then letters, digits and . _ : @ + -";
  } else if (name.includes("..")) problem = "it contains '..'";
  if (problem !== undefined) throw new ArtifactNameError(`artifact container name ${JSON.stringify(name)} refused: ${problem}`);
  return name;
}

/** Checks a container name prefix (for listings): empty, or what could start a valid name. */
export function validateContainerPrefix(prefix: string): string {
  if (prefix !== "") validateContainerName(prefix);
  return prefix;
}

function describePathProblem(path: string): string | undefined {
  if (path === "") return "it is empty";
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `it is longer than ${MAX_PATH_BYTES} bytes`;
  if (path.startsWith("/")) return "it is absolute";
  const forbidden = FORBIDDEN_CHARACTER.exec(path);
  if (forbidden !== null) return `it contains ${forbidden[0] === "\\" ? "a backslash" : "a control character (NUL included)"}`;
  if (LONE_SURROGATE.test(path)) return "it is not valid Unicode (a lone surrogate)";
  for (const segment of path.split("/")) {
    if (segment === "") return "it has an empty segment ('//' or a trailing '/')";
    if (DOT_SEGMENT.test(segment)) return `it has a '${segment}' segment`;
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}
