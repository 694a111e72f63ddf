import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createEveLogger } from "./create-eve-logger.js";
import { createSecretScrubber } from "./secret-scrubber.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const token = "ghs_0123456789abcdefghijABCDEFGHIJ";

describe("Eve's logger", () => {
  it("keeps minted tokens and the App's key out of every line: fields, messages, errors and child bindings", () => {
    const lines: string[] = [];
    const scrubber = createSecretScrubber();
    scrubber.addPrivateKey(pem);
    scrubber.add(token);
    const log = createEveLogger({ level: "debug", scrubber, destination: { write: (line) => lines.push(line) } });

    log.child({ build: "b1", stage: "pre-merge" }).info({ token, headers: { authorization: `token ${token}` } }, `cloning with ${token}`);
    log.warn({ err: new Error(`git failed: Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")} ${token}`) }, "Checkout failed");
    log.error({ config: { privateKey: pem } }, `key was ${pem}`);
    log.info({ escaped: JSON.stringify(pem) }, "escaped");

    const text = lines.join("");
    expect(text).not.toContain(token);
    for (const line of pem.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----"))) expect(text).not.toContain(line);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ build: "b1", stage: "pre-merge", token: "[redacted]", msg: "cloning with [redacted]" });
    expect(lines).toHaveLength(4);
  });

  it("forgets the oldest tokens beyond its bound, keeps short strings out", () => {
    const scrubber = createSecretScrubber();
    scrubber.add("short");
    for (let i = 0; i < 2_100; i++) scrubber.add(`ghs_token_number_${i}`);

    expect(scrubber.scrub("short ghs_token_number_0 ghs_token_number_2099")).toBe("short ghs_token_number_0 [redacted]");
  });
});
