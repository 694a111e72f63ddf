import { describe, expect, it } from "vitest";
import { validateAppBuildFile } from "./validated-build-files.js";

const file = (stage: string) => `version: 0.2\nbranches:\n  default:\n    stage: ${stage}\nstages:\n  ${stage}:\n    worker: {type: local}\n    steps:\n      - ShellCommand: {command: 'true'}\n`;

describe("validateAppBuildFile", () => {
  it("validates a text once per path, and again once 32 other files were used since", () => {
    const first = validateAppBuildFile(file("pre-merge"), "eve/main.yml");
    expect(first.buildFile?.stages.has("pre-merge")).toBe(true);
    expect(validateAppBuildFile(file("pre-merge"), "eve/main.yml")).toBe(first);
    expect(validateAppBuildFile(file("pre-merge"), "eve/other.yml")).not.toBe(first);

    for (let i = 0; i < 32; i++) validateAppBuildFile(file(`s${i}`), "eve/main.yml");
    const again = validateAppBuildFile(file("pre-merge"), "eve/main.yml");
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it("keeps a broken file's messages with their lines", () => {
    const broken = validateAppBuildFile("version: 0.2\nstages: [\n", "eve/main.yml");
    expect(broken.buildFile).toBeUndefined();
    expect(broken.messages[0]).toMatchObject({ file: "eve/main.yml", severity: "error" });
    expect(validateAppBuildFile("version: 0.2\nstages: [\n", "eve/main.yml")).toBe(broken);
  });
});
