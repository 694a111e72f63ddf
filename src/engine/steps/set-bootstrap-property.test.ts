import { afterAll, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../../test/helpers/engine-harness.js";

const base = createWorkspaceBase();
afterAll(() => {
  expect(base.leftovers()).toEqual([]);
  base.cleanup();
});

describe("SetBootstrapProperty and SetBootstrapPropertyFromCommand", () => {
  it("write onto the top stage, so that the stages it triggers later see the value, not the writer itself", async () => {
    const file = buildFileOf({
      top: [
        ["TriggerStages", { stage_names: ["writer"] }],
        ["TriggerStages", { stage_names: ["reader"] }],
        ["ShellCommand", { command: "echo top sees %(prop:version:-none)s" }],
      ],
      writer: [
        ["SetBootstrapProperty", { property: "version", value: "1.2.3" }],
        ["SetBootstrapPropertyFromCommand", { property: "commit", command: "echo '  abc  '" }],
        ["ShellCommand", { command: "echo writer sees %(prop:version:-none)s" }],
      ],
      reader: [["ShellCommand", { command: "echo reader sees %(prop:version)s %(prop:commit)s" }]],
    });

    const { outcome, observer } = await runBuild(base.baseDir, file, "top");

    expect(outcome.result).toBe("success");
    expect(observer.log("writer")).toContain("writer sees none\n");
    expect(observer.log("writer")).toContain("[info] version = 1.2.3 (on the build's top stage)\n");
    expect(observer.log("reader")).toContain("reader sees 1.2.3 abc\n");
    expect(observer.log("top")).toContain("top sees 1.2.3\n");
    expect(outcome.properties).toMatchObject({ version: "1.2.3", commit: "abc" });
  });

  it("write nothing when the command fails", async () => {
    const file = buildFileOf({
      top: [["TriggerStages", { stage_names: ["writer"] }], ["ShellCommand", { command: "echo top sees %(prop:x:-none)s" }]],
      writer: [["SetBootstrapPropertyFromCommand", { property: "x", command: "echo no; exit 1" }]],
    });

    const { outcome, observer } = await runBuild(base.baseDir, file, "top");

    expect(outcome.result).toBe("failure");
    expect(observer.log("top")).toContain("top sees none\n");
  });
});
