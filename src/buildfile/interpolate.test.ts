import { describe, expect, it } from "vitest";
import { interpolate, interpolateDeep, InterpolationError, needsInterpolation, type InterpolationSource } from "./interpolate.js";

const properties: Record<string, unknown> = {
  branch: "development/1.0",
  empty: "",
  zero: 0,
  yes: true,
  no: false,
  none: null,
  count: 3,
  ratio: 0.2,
  list: ["a", "it's"],
  dict: { a: 1 },
  b: "https://b.example",
};
const source: InterpolationSource = {
  property: (name) => (Object.hasOwn(properties, name) ? properties[name] : undefined),
  secret: (name) => (name === "token" ? "s3cr3t" : name === "blank" ? "" : undefined),
};

describe("interpolate", () => {
  it.each([
    ["plain %(prop:branch)s", "plain development/1.0"],
    ["%(prop:missing)s", ""],
    ["%(prop:none)s", ""],
    ["%(prop:yes)s/%(prop:no)s", "True/False"],
    ["%(prop:count)s %(prop:ratio)s", "3 0.2"],
    ["%(prop:list)s %(prop:dict)s", `['a', "it's"] {'a': 1}`],
    ["%(secret:token)s", "s3cr3t"],
    ["100%% %(prop:count)s", "100% 3"],
    // :- set → value (even falsy), unset → default (may be empty)
    ["%(prop:branch:-x)s", "development/1.0"],
    ["%(prop:empty:-x)s", ""],
    ["%(prop:missing:-x)s", "x"],
    ["%(prop:missing:-)s", ""],
    ["%(prop:zero:-x)s", "0"],
    // :~ truthy → value, else default
    ["%(prop:empty:~x)s", "x"],
    ["%(prop:zero:~x)s", "x"],
    ["%(prop:no:~x)s", "x"],
    ["%(prop:branch:~x)s", "development/1.0"],
    ["%(prop:missing:~x)s", "x"],
    // :+ set → replacement, else ''
    ["%(prop:empty:+set)s", "set"],
    ["%(prop:missing:+set)s", ""],
    // :?|a|b set → a, else b ; :#?|a|b truthy → a, else b
    ["%(prop:empty:?|a|b)s", "a"],
    ["%(prop:missing:?|a|b)s", "b"],
    ["%(prop:empty:#?|a|b)s", "b"],
    ["%(prop:yes:#?|a|b)s", "a"],
    ["%(prop:yes:#?:a:b)s", "a"],
    ["%(prop:missing:?|a|b|c)s", "b|c"],
    // nesting (scality/metalk8s)
    ["%(prop:a:-%(prop:b:-https://x)s/y)s", "https://b.example/y"],
    ["%(prop:a:-%(prop:c:-https://x)s/y)s", "https://x/y"],
    ["%(prop:missing:?|%(prop:count)s|multi-%(prop:os:-centos-7)s)s", "multi-centos-7"],
    ["%(prop:yes:?|%(prop:count)s|no)s", "3"],
    ["%(prop:missing:-100%%)s", "100%"],
    // conversions and widths
    ["%(prop:count)d|%(prop:count)5s|%(prop:count)-3s|", "3|    3|3  |"],
    ["%(prop:branch)r", "'development/1.0'"],
    ["%(src::branch)s", "development/1.0"],
    ["%(kw:anything:-d)s", "d"],
  ])("%s → %s", (template, expected) => {
    expect(interpolate(template, source)).toBe(expected);
  });

  it.each([
    ["%(secret:unknown)s", /secret 'unknown' is not found/],
    ["%(secret:unknown:-default)s", /secret 'unknown' is not found/],
    ["%(prop:x", /no '\)' closes/],
    ["50%Y %(prop:x)s", /unsupported format '%Y'/],
    ["end %", /lone '%'/],
    ["%(prop:x)", /expected 's'/],
    ["%(prop:x)z", /expected 's'/],
    ["%(nope:x)s", /invalid Interpolate selector 'nope'/],
    ["%(branch)s", /without selector/],
    ["%(prop:x:*y)s", /invalid Interpolate default type '\*'/],
    ["%(prop:x:?|a)s", /ternary expression/],
    ["%(prop:x:?(a)(b))s", /ternary delimiter '\('/],
    ["%(prop:bad name)s", /alphanumeric/],
    ["%(prop:branch)d", /number is required/],
  ])("%s is an error", (template, message) => {
    expect(() => interpolate(template, source)).toThrow(InterpolationError);
    expect(() => interpolate(template, source)).toThrow(message);
  });

  it("renders an empty secret as empty", () => {
    expect(interpolate("[%(secret:blank)s]", source)).toBe("[]");
  });
});

describe("needsInterpolation", () => {
  it.each([
    ["%(prop:x)s", true],
    ["uses secret:x literally", true],
    ["%(src::branch)s", false],
    ["date +%Y", false],
  ])("%s → %s", (text, expected) => {
    expect(needsInterpolation(text)).toBe(expected);
  });
});

describe("interpolateDeep", () => {
  it("walks lists and dicts, leaves keys and non-matching strings alone", () => {
    const value = { "%(prop:branch)s": ["%(prop:branch)s", 1, "%Y"], env: { A: "%(secret:token)s", B: null } };

    const result = interpolateDeep(value, source);

    expect(result).toEqual({ "%(prop:branch)s": ["development/1.0", 1, "%Y"], env: { A: "s3cr3t", B: null } });
  });
});
