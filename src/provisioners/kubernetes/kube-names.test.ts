import { describe, expect, it } from "vitest";
import { kubeLabelValue, kubeName } from "./kube-names.js";
import { parseQuantity } from "./kube-quantity.js";

describe("Kubernetes names, label values, quantities", () => {
  it.each([
    ["eve", "run-1", "eve-run-1"],
    ["eve", "Build 7/pre merge", "eve-build-7-pre-merge-6f3a2c9e25"],
  ])("kubeName(%s, %s)", (prefix, text, expected) => {
    const name = kubeName(prefix, text);

    expect(name.slice(0, -10)).toBe(expected.slice(0, -10));
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it("keeps long names unique within 63 characters", () => {
    const a = kubeName("eve", "x".repeat(100) + "a");
    const b = kubeName("eve", "x".repeat(100) + "b");

    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });

  it.each(["pre-merge", "", "a.b_c"])("keeps the valid label value '%s'", (value) => {
    expect(kubeLabelValue(value)).toBe(value);
  });

  it.each(["pre merge", "-x-", "a".repeat(64), "stage/with:odd*chars"])("sanitizes '%s' into a valid, distinct label value", (value) => {
    const label = kubeLabelValue(value);

    expect(label).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
    expect(label).not.toBe(value);
  });

  it.each([
    ["500m", 0.5], ["1", 1], [2, 2], ["1.5", 1.5], ["1Gi", 2 ** 30], ["4G", 4e9], ["384Mi", 384 * 2 ** 20], ["129e6", 129e6], ["1k", 1000],
  ])("parses the quantity %s", (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value);
  });

  it.each(["lots", "1 Gi", "-1", "1GB", ""])("refuses the quantity '%s'", (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});
