import { describe, expect, it } from "vitest";
import { MAX_COMMENT_CHARS, parseCommand, type ParsedComment } from "./parse-command.js";

const command = (c: unknown): ParsedComment => ({ type: "command", command: c }) as ParsedComment;
const rerun = (stage: string | undefined, properties: Record<string, string> = {}) => command({ kind: "rerun", stage, properties });

describe("parseCommand", () => {
  it.each<[string, string, ParsedComment]>([
    ["promote", "/eve promote 1.2.3", { type: "command", command: { kind: "promote", tag: "1.2.3" } }],
    ["promote without a tag", "/eve promote", { type: "invalid", reason: "`/eve promote` takes one tag: `/eve promote 1.2.3`" }],
    ["promote with a slash", "/eve promote a/b", { type: "invalid", reason: "`a/b` is not a tag Eve promotes to (letters, digits, . _ + -, no '/')" }],
    ["a plain comment", "LGTM, thanks!", { type: "none" }],
    ["a mention mid-line", "please /eve rerun child", { type: "none" }],
    ["a word that starts with /eve", "/evening plans", { type: "none" }],
    ["a quoted command", "> /eve rerun child", { type: "none" }],
    ["a command in a fenced block", "```\n/eve rerun child\n```", { type: "none" }],
    ["rerun of one stage", "/eve rerun child", rerun("child")],
    ["rerun of every failed stage", "/eve rerun", rerun(undefined)],
    ["a command on a later line", "Flaky again.\n\n  /eve rerun child\nthanks", rerun("child")],
    ["after a closed fence", "```\ncode\n```\n/eve cancel", command({ kind: "cancel" })],
    ["CRLF line ends", "hi\r\n/eve help\r\n", command({ kind: "help" })],
    ["the first of two commands", "/eve approve\n/eve cancel", command({ kind: "approve" })],
    ["upper case", "/EVE Rerun child", rerun("child")],
    ["properties", "/eve rerun child foo=bar n=1", rerun("child", { foo: "bar", n: "1" })],
    ["quoted values", `/eve rerun child msg="a b" x='c  d' empty=""`, rerun("child", { msg: "a b", x: "c  d", empty: "" })],
    ["properties without a stage", "/eve rerun retries=3", rerun(undefined, { retries: "3" })],
    ["stage names with dots and slashes", "/eve rerun tests/unit.py3", rerun("tests/unit.py3")],
    // Build files name stages with spaces ("unit tests"); Eve's replies list them as they are.
    ["a stage name with spaces", "/eve rerun unit tests", rerun("unit tests")],
    ["a quoted stage name with spaces", `/eve rerun "unit tests" n=1`, rerun("unit tests", { n: "1" })],
    ["a single-quoted stage name", "/eve rerun 'pre merge'", rerun("pre merge")],
  ])("%s", (_name, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  it.each<[string, string, ParsedComment]>([
    // Shell metacharacters are data: they stay in the value as typed, never evaluated.
    ["quoted command substitution", `/eve rerun child x="$(rm -rf /)"`, rerun("child", { x: "$(rm -rf /)" })],
    ["backticks, pipes and semicolons", "/eve rerun child x=`id`|tee;y=1&&z", rerun("child", { x: "`id`|tee;y=1&&z" })],
    ["redirections and globs", "/eve rerun child x=>/etc/passwd y=*", rerun("child", { x: ">/etc/passwd", y: "*" })],
    ["interpolation syntax", "/eve rerun child x=%(secret:token)s", rerun("child", { x: "%(secret:token)s" })],
    ["an unquoted substitution with spaces (its words are not key=value)", "/eve rerun child x=$(rm -rf /)", { type: "invalid", reason: "expected key=value after the stage name, got `-rf`" }],
  ])("keeps %s as plain data", (_name, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ["no verb", "/eve", /needs a command/],
    ["an unknown verb", "/eve deploy prod", /unknown command `deploy`/],
    ["arguments to cancel", "/eve cancel now", /takes no arguments/],
    ["arguments to approve", "/eve approve abc", /takes no arguments/],
    ["a word after a property", "/eve rerun a x=1 b", /expected key=value after the stage name/],
    ["an unbalanced quoted stage", `/eve rerun "unit tests`, /unbalanced quotes/],
    ["a quoted stage with an equals sign", `/eve rerun "a=b c"`, /is not a stage name/],
    ["a bad key", "/eve rerun child $(x)=1", /is not a property name/],
    ["a key with a semicolon", "/eve rerun child a;b=1", /is not a property name/],
    ["a reserved property", "/eve rerun child revision=deadbeef", /`revision` is set by Eve/],
    ["a repository override", "/eve rerun child git_reference=https://evil.example/x.git", /`git_reference` is set by Eve/],
    ["a duplicate key", "/eve rerun child a=1 a=2", /given twice/],
    ["unbalanced quotes", `/eve rerun child a="b c`, /unbalanced quotes/],
    ["a control character", "/eve rerun child a=\u001b[2J", /control characters/],
    ["a stage with a control character", "/eve rerun st\u0007ge", /is not a stage name/],
    ["too many properties", `/eve rerun child ${Array.from({ length: 21 }, (_, i) => `k${i}=v`).join(" ")}`, /too many properties/],
    ["a huge value", `/eve rerun child a=${"x".repeat(1025)}`, /too long/],
    ["a huge line", `/eve rerun child ${"a=b ".repeat(2000)}`, /command line is too long/],
    ["a huge stage name", `/eve rerun ${"s".repeat(300)}`, /is not a stage name/],
  ])("refuses %s", (_name, body, reason) => {
    const parsed = parseCommand(body);

    expect(parsed.type).toBe("invalid");
    expect(parsed.type === "invalid" && parsed.reason).toMatch(reason);
    // Replies quote the input: keep them short.
    expect(parsed.type === "invalid" && parsed.reason.length).toBeLessThan(120);
  });

  it("refuses a command in a comment over GitHub's limit, and ignores such a comment without one", () => {
    const padding = "x".repeat(MAX_COMMENT_CHARS);

    expect(parseCommand(`/eve rerun child\n${padding}`)).toMatchObject({ type: "invalid", reason: expect.stringMatching(/comment is too long/) });
    expect(parseCommand(`${padding}\n/eve rerun child`)).toEqual({ type: "none" });
    expect(parseCommand("y".repeat(10_000_000))).toEqual({ type: "none" });
  });

  it("parses a 10 MB comment (a backtracking pattern would not end before the test's timeout)", () => {
    const huge = `${"line of text\n".repeat(800_000)}/eve help`;

    const parsed = parseCommand(huge);

    expect(parsed).toEqual({ type: "none" });
  });

  it("keeps __proto__ as a plain property", () => {
    const parsed = parseCommand("/eve rerun child __proto__=x constructor=y");

    const expected: Record<string, string> = { constructor: "y" };
    Object.defineProperty(expected, "__proto__", { value: "x", enumerable: true, writable: true, configurable: true });
    expect(parsed).toEqual(rerun("child", expected));
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
