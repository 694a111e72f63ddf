import { describe, expect, it } from "vitest";
import { SecretMasker } from "./secret-masker.js";
import { secretVariants } from "./secret-variants.js";

describe("secretVariants", () => {
  it.each([1, 2, 3, 5, 6, 7, 8, 13, 20, 33])("finds a %i-byte secret's base64 inside any base64 text around it", (length) => {
    const secret = Array.from({ length }, (_, index) => String.fromCharCode(33 + ((index * 37 + length) % 90))).join("");
    const masker = new SecretMasker([secret]);
    for (const prefix of ["", "a", "ab", "abc", "héllo "]) {
      for (const suffix of ["", "\n", "xy", "!!!"]) {
        const encoded = Buffer.from(prefix + secret + suffix).toString("base64");
        // Short secrets have no base64 form long enough to tell apart from text, except when aligned.
        if (length >= 8 || (prefix === "" && suffix === "")) expect(masker.mask(encoded), `${prefix}|${suffix}`).toContain("<secret>");
      }
    }
  });

  it("lists URL, form, JSON, CRLF and per-line forms of a multi-line secret with special characters", () => {
    const secret = 'a b"c/\nline-two-of-it\n';

    expect(secretVariants(secret)).toEqual(
      expect.arrayContaining(["a%20b%22c%2F%0Aline-two-of-it%0A", "a+b%22c%2F%0Aline-two-of-it%0A", 'a b\\"c/\\nline-two-of-it\\n', 'a b"c/\r\nline-two-of-it\r\n', "line-two-of-it"]),
    );
  });

  it("adds no derived form shorter than 6 characters", () => {
    expect(secretVariants("ab\nc").filter((variant) => variant !== "ab\nc" && variant !== Buffer.from("ab\nc").toString("base64").replace(/=+$/, ""))).toEqual(["61620a63", "61620A63", "ab%0Ac"]);
  });
});
