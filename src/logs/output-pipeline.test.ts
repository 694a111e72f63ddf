import { describe, expect, it } from "vitest";
import { createOutputPipeline } from "./output-pipeline.js";
import { SECRET_MASK, SecretMasker } from "./secret-masker.js";

async function runThrough(secrets: string[], chunks: (string | Buffer)[]): Promise<{ text: string; pieces: string[] }> {
  const pieces: string[] = [];
  const pipeline = createOutputPipeline({ secrets, sink: (text) => void pieces.push(text) });
  for (const chunk of chunks) await pipeline.write(typeof chunk === "string" ? Buffer.from(chunk) : chunk, "stdout");
  await pipeline.end();
  return { text: pieces.join(""), pieces };
}

/** Every way of cutting `text` into two chunks. */
function allSplits(text: string): string[][] {
  const bytes = Buffer.from(text);
  return Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.subarray(0, i).toString("latin1"), bytes.subarray(i).toString("latin1")]);
}

describe("output pipeline", () => {
  it("masks a secret wherever the chunks are cut", async () => {
    const text = "token=hunter22 and again hunter22.";
    for (const [a, b] of allSplits(text)) {
      const { text: out } = await runThrough(["hunter22"], [Buffer.from(a ?? "", "latin1"), Buffer.from(b ?? "", "latin1")]);

      expect(out).toBe(`token=${SECRET_MASK} and again ${SECRET_MASK}.`);
    }
  });

  it("masks the base64 form of a secret", async () => {
    const encoded = Buffer.from("hunter22").toString("base64");

    const { text } = await runThrough(["hunter22"], [`auth: ${encoded.slice(0, 5)}`, `${encoded.slice(5)}\n`]);

    expect(text).toBe(`auth: ${SECRET_MASK}=\n`);
  });

  it("keeps a multi-byte character split across chunks whole", async () => {
    const bytes = Buffer.from("é€😀");
    const chunks = [...bytes].map((b) => Buffer.from([b]));

    const { text } = await runThrough([], chunks);

    expect(text).toBe("é€😀");
  });

  it("holds back only a possible secret prefix", async () => {
    const { pieces } = await runThrough(["abcdef"], ["hello ab", "x world"]);

    expect(pieces).toEqual(["hello ", "abx world"]);
  });

  it("prefers the longer secret at one position and releases an unfinished prefix at the end", async () => {
    const { text } = await runThrough(["abc", "abcdef"], ["xx abcdef abc ", "abcd"]);

    expect(text).toBe(`xx ${SECRET_MASK} ${SECRET_MASK} ${SECRET_MASK}d`);
  });

  it("captures raw stdout up to its limit", async () => {
    const pipeline = createOutputPipeline({ secrets: ["pw"], sink: () => undefined, captureStdoutBytes: 4 });

    await pipeline.write(Buffer.from("pw12"), "stdout");
    await pipeline.write(Buffer.from("34"), "stdout");
    await pipeline.write(Buffer.from("err"), "stderr");
    await pipeline.end();

    expect(pipeline.capturedStdout()).toBe("pw12");
    expect(pipeline.captureTruncated).toBe(true);
  });

  it("passes the consumer's backpressure promise to the producer", async () => {
    let release: () => void = () => undefined;
    const pipeline = createOutputPipeline({ secrets: [], sink: () => new Promise<void>((resolve) => (release = resolve)) });

    const pending = pipeline.write(Buffer.from("x"), "stdout");

    expect(pending).toBeInstanceOf(Promise);
    release();
    await pending;
  });
});

describe("SecretMasker.mask", () => {
  it("masks a whole text and ignores empty secrets", () => {
    expect(new SecretMasker(["", "pw"]).mask("a pw b pwpw")).toBe(`a ${SECRET_MASK} b ${SECRET_MASK}${SECRET_MASK}`);
  });
});

describe("secrets in wrapped encoded output", () => {
  const secret = "S3cr3tT0kenValue_abc123XYZ";
  /** What `base64` (76 columns) or `xxd -p` (60) prints. */
  const wrap = (text: string, width: number): string => `${text.replace(new RegExp(`(.{${width}})`, "g"), "$1\n").replace(/\n$/, "")}\n`;

  it.each([45, 50, 52, 55, 100])("masks a secret's base64 that `base64` wrapped after %i bytes, wherever the chunks are cut", async (before) => {
    const printed = wrap(Buffer.from(`${"0".repeat(before)}${secret}${"~".repeat(40)}`).toString("base64"), 76);
    for (const chunks of allSplits(printed)) {
      const { text } = await runThrough([secret], chunks);

      expect(text.replaceAll(SECRET_MASK, "")).not.toContain(Buffer.from(secret).toString("base64").slice(4, 30));
      expect(text).toContain(SECRET_MASK);
      expect(text.split("\n")).toHaveLength(printed.split("\n").length);
    }
  });

  it("masks a secret's hex as `xxd -p` prints it, wrapped at 60 columns", async () => {
    const printed = wrap(Buffer.from(`prefix${secret}`).toString("hex"), 60);

    const { text } = await runThrough([secret], [printed.slice(0, 61), printed.slice(61)]);

    expect(text).toBe(`${printed.slice(0, 12)}${SECRET_MASK}\n${SECRET_MASK}\n`);
  });

  it("does not hold a finished line of text back, even when it ends as a secret begins", async () => {
    const { pieces } = await runThrough([secret], ["waiting for S\n", "done\n"]);

    expect(pieces[0]).toBe("waiting for S\n");
  });
});
