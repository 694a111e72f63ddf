/**
 * The process's root logger: pino JSON lines on stdout (as Probot logs), with
 * tokens and keys removed twice — by field (`redact` paths: authorization
 * headers, tokens, private keys) and by value (the scrubber, over each whole
 * line). Stage code logs through `log.child({ build, stage, run, attempt })`.
 */
import { pino, type DestinationStream, type Logger } from "pino";
import type { SecretScrubber } from "./secret-scrubber.js";

export interface EveLoggerOptions {
  level: string;
  scrubber: SecretScrubber;
  /** Where lines go (default stdout). */
  destination?: { write(line: string): unknown };
}

const REDACT_PATHS = [
  "token",
  "*.token",
  "privateKey",
  "*.privateKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "request.headers.authorization",
  "err.request.headers.authorization",
  "err.response.headers.authorization",
];

export function createEveLogger(options: EveLoggerOptions): Logger {
  const target = options.destination ?? process.stdout;
  const destination: DestinationStream = { write: (line: string) => void target.write(options.scrubber.scrub(line)) };
  return pino({ name: "eve", level: options.level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, destination);
}
