import { describe, expect, it } from "vitest";
import { checkInterpolatedPercent, checkPercentFormat } from "./check-percent-format.js";

// Expected results are Python's: `text % collections.defaultdict(str)` (CPython 3).
describe("checkPercentFormat: Eve's whole-file % check", () => {
  it.each([
    ["date +%Y", 6, "unsupported format character 'Y' (0x59)"],
    ["100%!", 3, "unsupported format character '!' (0x21)"],
    ["50%, ok", 2, "unsupported format character ',' (0x2c)"],
    ["%(a)s %(b)Y", 6, "unsupported format character 'Y' (0x59)"],
    ["%-5.3Y", 0, "unsupported format character 'Y' (0x59)"],
    ["%5%", 0, "unsupported format character '%' (0x25)"],
    ["%\n", 0, "unsupported format character '?' (0xa)"],
    ["ends with %", 10, "incomplete format"],
    ["%(a", 0, "incomplete format key"],
    ["%(a)", 0, "incomplete format"],
    ["%l", 0, "incomplete format"],
    ["%99999999999999999999d", 0, "width too big"],
    ["%.99999999999999999s", 0, "precision too big"],
  ])("%j fails at offset %i", (text, offset, message) => {
    const problem = checkPercentFormat(text);

    expect(problem?.offset).toBe(offset);
    expect(problem?.message).toContain(message);
  });

  it.each([
    ["%%Y and 100%%"],
    ["%(prop:x)s"],
    ["%(prop:a:-%(prop:b)s)s"],
    ["%(a(b)c)s"],
    ["100% done"],
    // Python raises TypeError here, which Eve's check ignores and which ends it:
    ["%(a)s %Y"],
    ["%s then %Y"],
    ["%d then %Y"],
    ["%(a)c"],
    ["%*d"],
    ["100% off"],
    ["no percent at all"],
  ])("%j passes", (text) => {
    expect(checkPercentFormat(text)).toBeUndefined();
  });
});

describe("checkInterpolatedPercent: strings Interpolate will format", () => {
  it.each([
    ["echo %(prop:branch)s", undefined],
    ["echo %(prop:branch)s %%Y", undefined],
    ["echo %(prop:branch)s %Y", /unsupported format character 'Y'/],
    ["echo %s %(prop:x)s", /without a %\(prop:name\)s key/],
  ])("%j", (text, expected) => {
    const problem = checkInterpolatedPercent(text);

    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem?.message).toMatch(expected);
  });
});
