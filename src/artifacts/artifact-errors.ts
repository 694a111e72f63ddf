/** The store's typed errors: callers branch on the class, never on the message. */

/** A container name or file path that the store refuses (bad input, not an infrastructure fault). */
export class ArtifactNameError extends Error {
  override readonly name = "ArtifactNameError";
}

/** No such container or file. */
export class ArtifactNotFoundError extends Error {
  override readonly name = "ArtifactNotFoundError";
}

/** The target of a copy already exists. */
export class ArtifactExistsError extends Error {
  override readonly name = "ArtifactExistsError";
}

/** A byte range that starts at or past the end of the file (HTTP 416). */
export class ArtifactRangeError extends Error {
  override readonly name = "ArtifactRangeError";
  /** The file's size, for the Content-Range header of a 416 answer. */
  readonly size: number;
  constructor(message: string, size: number) {
    super(message);
    this.size = size;
  }
}

/** A step's or a build's limit (bytes or files) would be exceeded; nothing of the refused file is listed. */
export class ArtifactLimitError extends Error {
  override readonly name = "ArtifactLimitError";
}

/** A path that is a file in the store and would have to be a folder too, or the reverse (disk store only). */
export class ArtifactConflictError extends Error {
  override readonly name = "ArtifactConflictError";
}

/** A container's stored metadata cannot be read (damaged by hand or by a disk): listings and gc skip it. */
export class ArtifactMetadataError extends Error {
  override readonly name = "ArtifactMetadataError";
}
