/**
 * A step's raw output → streaming UTF-8 decode (per stream, so a character
 * split across chunks is kept whole) → secret masking → the consumer. Nothing
 * accumulates: each chunk is passed on as soon as it is safe to, and the
 * consumer's promise (backpressure) is returned to the producer.
 */
import { StringDecoder } from "node:string_decoder";
import type { OutputSink, OutputStream } from "../provisioners/types.js";
import { SecretMasker } from "./secret-masker.js";

/** Receives decoded, masked text. May return a promise to pause the producer. */
export type TextSink = (text: string) => void | Promise<void>;

export interface OutputPipelineOptions {
  /** Secret values to mask. */
  secrets: Iterable<string>;
  sink: TextSink;
  /** Keep up to this many bytes of raw stdout (unmasked), e.g. for SetPropertyFromCommand. 0 = none. */
  captureStdoutBytes?: number;
}

export interface OutputPipeline {
  /** Feed raw output here (it is an OutputSink). */
  readonly write: OutputSink;
  /** Releases what is held back (partial characters, possible secret prefixes). Call once, at the end. */
  end(): Promise<void>;
  /** The captured raw stdout, decoded; undefined when not capturing. */
  capturedStdout(): string | undefined;
  /** True when more stdout came than could be captured. */
  readonly captureTruncated: boolean;
}

export function createOutputPipeline(options: OutputPipelineOptions): OutputPipeline {
  const masker = new SecretMasker(options.secrets);
  const decoders: Record<OutputStream, StringDecoder> = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  const { sink } = options;
  const captureLimit = options.captureStdoutBytes ?? 0;
  const captured: Buffer[] = [];
  let capturedBytes = 0;
  let truncated = false;

  const emit = (text: string): void | Promise<void> => {
    const out = masker.isEmpty ? text : masker.push(text);
    return out.length > 0 ? sink(out) : undefined;
  };

  return {
    write(chunk, stream) {
      if (captureLimit > 0 && stream === "stdout") {
        const room = captureLimit - capturedBytes;
        if (chunk.length > room) truncated = true;
        if (room > 0) {
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          captured.push(Buffer.from(part));
          capturedBytes += part.length;
        }
      }
      return emit(decoders[stream].write(chunk));
    },
    async end() {
      let rest = decoders.stdout.end() + decoders.stderr.end();
      if (rest.length > 0) rest = masker.isEmpty ? rest : masker.push(rest);
      rest += masker.flush();
      if (rest.length > 0) await sink(rest);
    },
    capturedStdout() {
      return captureLimit > 0 ? Buffer.concat(captured).toString("utf8") : undefined;
    },
    get captureTruncated() {
      return truncated;
    },
  };
}
