import { describe, expect, it } from "vitest";
import { loadYaml } from "./load-yaml.js";

const value = (text: string): unknown => {
  const loaded = loadYaml(text);
  expect(loaded.problem).toBeUndefined();
  return loaded.value;
};

describe("loadYaml: YAML 1.1 scalars as PyYAML reads them", () => {
  it.each([
    ["0.2", 0.2],
    ["1", 1],
    ["yes", true],
    ["No", false],
    ["on", true],
    ["OFF", false],
    ["True", true],
    ["y", "y"],
    ["1e5", "1e5"],
    ["1.0e+5", 100000],
    [".5", 0.5],
    ["-.5", "-.5"],
    ["1_000", 1000],
    ["0b11", 3],
    ["017", 15],
    ["0x1F", 31],
    ["1:30", 90],
    ["1:30.5", 90.5],
    ["~", null],
    ["null", null],
    ["", null],
    ["2020-01-01", "2020-01-01"],
    ["'yes'", "yes"],
    ['"0.2"', "0.2"],
    ["!!str 12", "12"],
    ["!!int '12'", 12],
    ["!!float 1", 1],
    ["0o17", "0o17"],
    ["=", undefined],
  ])("%s", (text, expected) => {
    const loaded = loadYaml(`a: ${text}\n`);
    if (expected === undefined) expect(loaded.problem?.message).toMatch(/constructor/);
    else expect(loaded.value).toEqual({ a: expected });
  });

  it("marks yaml floats so version: 1.0 can become '1.0'", () => {
    const loaded = loadYaml("version: 1.0\nn: 1\n");

    expect(loaded.positions.child(loaded.value, "version")?.float).toBe(true);
    expect(loaded.positions.child(loaded.value, "n")?.float).toBeUndefined();
  });
});

describe("loadYaml: anchors, aliases and merge keys", () => {
  it("shares aliased values", () => {
    const result = value("a: &x {k: 1}\nb: *x\n") as Record<string, unknown>;

    expect(result.b).toBe(result.a);
  });

  it("merges several << keys and lists like flatten_mapping (earlier list entries win, explicit keys last)", () => {
    const result = value("a: {<<: [{x: 1, y: 1}, {x: 2, z: 2}], <<: {x: 3, w: 3}, x: 4}\n") as { a: object };

    expect(result.a).toEqual({ x: 4, z: 2, y: 1, w: 3 });
    expect(Object.keys(result.a)).toEqual(["x", "z", "y", "w"]);
  });

  it("lets a later << key override an earlier one", () => {
    expect(value("a: {<<: {x: 3}, <<: {x: 5}}\n")).toEqual({ a: { x: 5 } });
  });

  it("merges aliases, as scality/S3 does with two << keys", () => {
    const text = "m: &m {A: 1, B: 1}\nn: &n {B: 2, C: 2}\nenv:\n  <<: *m\n  <<: *n\n  C: 3\n";

    expect((value(text) as { env: object }).env).toEqual({ A: 1, B: 2, C: 3 });
  });

  it("merges a list given through an alias", () => {
    expect((value("l: &l [{a: 1}, {a: 2, b: 2}]\nm: {<<: *l}\n") as { m: object }).m).toEqual({ a: 1, b: 2 });
  });

  it("keeps the last value of a duplicate key, at its first place", () => {
    const result = value("b: 1\na: 2\nb: 3\n") as object;

    expect(result).toEqual({ b: 3, a: 2 });
    expect(Object.keys(result)).toEqual(["b", "a"]);
    expect(loadYaml("b: 1\na: 2\nb: 3\n").duplicateKeys).toEqual([{ line: 3, column: 1, message: expect.stringContaining("duplicate key 'b' (first at line 1)") }]);
  });

  it("does not call a key a duplicate when a `<<` merge brought the first one", () => {
    expect(loadYaml("x: &x {a: 1}\ny: {<<: *x, a: 2}\n").duplicateKeys).toEqual([]);
  });

  it("treats a quoted '<<' as a plain key", () => {
    expect(value('"<<": {a: 1}\n')).toEqual({ "<<": { a: 1 } });
  });

  it("reads a `=` key as a string", () => {
    expect(value("=: 1\n")).toEqual({ "=": 1 });
  });

  it("stringifies non-string keys like Python str()", () => {
    expect(value("1: a\ntrue: b\n~: c\n1.5: d\n")).toEqual({ "1": "a", True: "b", None: "c", "1.5": "d" });
  });

  it.each([
    ["a: &x 1\nb: &x 2\n", 2, 7, /duplicate anchor 'x'/],
    ["a: *nope\n", 1, 4, /undefined alias 'nope'/],
    ["a: &x [*x]\n", 1, 8, /recursive alias/],
    ["a: {<<: 1}\n", 1, 9, /expected a mapping or list of mappings for merging/],
    ["a: {<<: [1]}\n", 1, 10, /expected a mapping for merging/],
    ["? [1]\n: 2\n", 1, 3, /unhashable key/],
    ["a: !foo 1\n", 1, 9, /constructor for the tag '!foo'/],
    ["a: !!python/name:os.system\n", 1, 27, /constructor for the tag/],
    ["a: 1\n---\nb: 2\n", 2, 1, /single document/],
  ])("rejects %j at its line and column", (text, line, column, message) => {
    const loaded = loadYaml(text);

    expect(loaded.problem).toMatchObject({ line, column });
    expect(loaded.problem?.message).toMatch(message);
  });
});

describe("loadYaml: positions", () => {
  it("locates values and keys by JSON pointer, including merged and aliased values at their source", () => {
    const text = "base: &b\n  image: x\nstages:\n  s:\n    <<: *b\n    steps:\n      - ShellCommand:\n          command: ls\n";
    const loaded = loadYaml(text);

    expect(loaded.positions.locate(loaded.value, "/stages/s/steps/0/ShellCommand/command")).toEqual({ line: 8, column: 20 });
    expect(loaded.positions.locate(loaded.value, "/stages/s/steps", "key")).toEqual({ line: 6, column: 5 });
    expect(loaded.positions.locate(loaded.value, "/stages/s/image")).toEqual({ line: 2, column: 10 });
    expect(loaded.positions.locate(loaded.value, "/stages/s/missing")).toEqual({ line: 5, column: 5 });
  });
});

describe("loadYaml: hostile input stays bounded and located", () => {
  // A blow-up fails by the test's timeout; how fast loading is, bench/lint.js measures.

  it("stops a billion-laughs alias bomb at the alias that overflows", () => {
    const levels = ["a: &a [" + Array(9).fill('"lol"').join(",") + "]"];
    for (let level = 1; level < 10; level++) {
      const name = String.fromCharCode(97 + level);
      const previous = String.fromCharCode(96 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`);
    }
    const loaded = loadYaml(levels.join("\n"));

    expect(loaded.problem?.message).toMatch(/too large once aliases are expanded/);
    expect(loaded.problem?.line).toBeGreaterThan(5);
  });

  it("refuses 100k nested flow sequences", () => {
    const loaded = loadYaml("[".repeat(100_000));

    expect(loaded.problem).toMatchObject({ line: 1, message: expect.stringMatching(/nesting is too deep/) });
  });

  it("refuses deep block nesting", () => {
    const text = Array.from({ length: 300 }, (_, depth) => `${" ".repeat(depth)}k:`).join("\n");

    expect(loadYaml(text).problem?.message).toMatch(/nesting is too deep/);
  });

  it("refuses a 50 MB file at line 1 without parsing it", () => {
    const loaded = loadYaml(`a: ${"x".repeat(50 * 1024 * 1024)}\n`);

    expect(loaded.problem).toMatchObject({ line: 1, column: 1, message: expect.stringMatching(/too large/) });
  });

  it("refuses binary garbage at the first special character", () => {
    const loaded = loadYaml("a: 1\nb: \u0000\u0001\u0002garbage");

    expect(loaded.problem).toMatchObject({ line: 2, column: 4, message: expect.stringMatching(/special characters/) });
  });

  it("reports a syntax error at its line", () => {
    const loaded = loadYaml("a:\n  b: [1, 2\nc: 3\n");

    expect(loaded.problem?.line).toBeGreaterThanOrEqual(2);
    expect(loaded.problem?.message.length).toBeGreaterThan(0);
  });

  it("stores __proto__ as an own key and never touches prototypes", () => {
    const result = value("__proto__: {polluted: true}\nconstructor: 1\n") as Record<string, unknown>;

    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(result)).toEqual(["__proto__", "constructor"]);
  });

  it("reads an empty stream as null", () => {
    expect(loadYaml("# only a comment\n")).toMatchObject({ value: null });
  });
});
