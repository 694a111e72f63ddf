/**
 * The forms in which a secret's value shows up in output, beyond itself:
 * base64 at each of the three byte alignments (`echo "x$S" | base64` does not
 * start the secret on a 3-byte boundary), base64url, hex, URL and form encoding,
 * JSON string escaping, CRLF line ends (a terminal turns `\n` into `\r\n`),
 * and each line of a multi-line secret (a key printed through `sed`).
 * Forms too short to be told apart from ordinary text are left out.
 */

/** Shorter derived forms would mask ordinary words. */
const MIN_DERIVED_LENGTH = 6;

export function secretVariants(secret: string): string[] {
  const variants = new Set<string>([secret]);
  const add = (variant: string): void => {
    if (variant.length >= MIN_DERIVED_LENGTH) variants.add(variant);
  };
  const bytes = Buffer.from(secret, "utf8");
  // The plain unpadded base64, kept whole (it is what `base64 <<<` of the exact value starts with).
  const whole = bytes.toString("base64").replace(/=+$/, "");
  if (whole.length > 0) variants.add(whole);
  for (const core of base64Cores(bytes)) {
    add(core);
    add(core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  // Hex, as `xxd -p` and most languages print bytes.
  add(bytes.toString("hex"));
  add(bytes.toString("hex").toUpperCase());
  add(encodeURIComponent(secret));
  add(encodeURIComponent(secret).replaceAll("%20", "+"));
  add(JSON.stringify(secret).slice(1, -1));
  if (secret.includes("\n")) {
    add(secret.replace(/\r?\n/g, "\r\n"));
    for (const line of secret.split(/\r?\n/)) add(line.trim());
  }
  return [...variants];
}

/**
 * The base64 characters that depend only on the secret's bytes, whatever
 * comes before or after it, for each alignment of its first byte in a
 * 3-byte group: the characters mixed with neighbouring bytes are dropped.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64").replace(/=+$/, "");
    // Characters carrying bits of the `offset` leading bytes: 2 for one byte, 3 for two.
    const head = offset === 0 ? 0 : offset + 1;
    // The last character is partial when the data does not end on a group boundary.
    const tail = (offset + bytes.length) % 3 === 0 ? 0 : 1;
    cores.push(encoded.slice(head, encoded.length - tail));
  }
  return cores;
}
