/** A secret source cannot be read (file, Vault): the message says which and why, never a value. */
export class SecretSourceError extends Error {
  override readonly name = "SecretSourceError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
