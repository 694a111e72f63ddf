/**
 * Removes known credentials from text: the App's private key (whole, and each
 * line of its body, so a JSON-escaped or partial key is caught too) and every
 * installation token this process minted. The last line of defence behind
 * pino's `redact` paths: it sees each finished log line, whatever field or
 * error message the credential hid in.
 */

export interface SecretScrubber {
  /** Starts scrubbing `secret` (ignored when shorter than 8 characters: too likely to be ordinary text). */
  add(secret: string): void;
  /** Adds the private key: its lines of 16+ characters are scrubbed one by one. */
  addPrivateKey(pem: string): void;
  scrub(text: string): string;
}

/** Tokens expire after an hour; a long-lived process keeps the newest this many. */
const MAX_SECRETS = 2_000;
const REPLACEMENT = "[redacted]";

export function createSecretScrubber(): SecretScrubber {
  const secrets = new Set<string>();
  // Longest first: a secret that contains another is replaced whole.
  let ordered: string[] | undefined;
  const add = (secret: string) => {
    if (secret.length < 8 || secrets.has(secret)) return;
    secrets.add(secret);
    ordered = undefined;
    for (const oldest of secrets) {
      if (secrets.size <= MAX_SECRETS) break;
      secrets.delete(oldest);
    }
  };
  return {
    add,
    addPrivateKey(pem) {
      for (const line of pem.split(/\r?\n/)) if (line.trim().length >= 16 && !line.startsWith("-----")) add(line.trim());
    },
    scrub(text) {
      let out = text;
      ordered ??= [...secrets].sort((a, b) => b.length - a.length);
      for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REPLACEMENT);
      return out;
    },
  };
}
