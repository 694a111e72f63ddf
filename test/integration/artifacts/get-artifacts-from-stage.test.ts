import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordArtifactsResult } from "../../../src/engine/record-artifacts-result.js";
import type { ArtifactsAccess } from "../../../src/engine/artifacts-access.js";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../helpers/engine-harness.js";
import { buildProperties, createArtifactsHarness, type ArtifactsHarness } from "../../helpers/artifacts-harness.js";

let artifacts: ArtifactsHarness;
const workspace = createWorkspaceBase();

beforeEach(async () => {
  artifacts = await createArtifactsHarness();
});
afterEach(() => {
  artifacts.remove();
  expect(workspace.leftovers()).toEqual([]);
});
afterAll(() => workspace.cleanup());

const uploading = (status: string) =>
  buildFileOf({
    "pre-merge": [
      ["ShellCommand", { command: `mkdir -p out && echo ${status} > out/.final_status` }],
      ["Upload", { source: "out" }],
      ["ShellCommand", { command: `test ${status} = SUCCESSFUL` }],
    ],
  });

/** Runs a pre-merge build of the shared commit as the app does: its result is recorded on its container. */
async function preMerge(build: number, status: "SUCCESSFUL" | "FAILED", access: ArtifactsAccess = artifacts.access()): Promise<string> {
  const properties = buildProperties("pre-merge", build);
  const { outcome } = await runBuild(workspace.baseDir, uploading(status), "pre-merge", { properties, services: { artifacts: access }, build: `build-${build}` });
  await recordArtifactsResult(access.store, outcome.properties, `build-${build}`, outcome.result);
  return properties.artifacts_name as string;
}

const postMerge = buildFileOf({
  "post-merge": [
    ["GetArtifactsFromStage", { stage: "pre-merge", property: "pre_merge_artifacts" }],
    ["ShellCommand", { command: "echo found %(prop:pre_merge_artifacts)s" }],
  ],
});

async function lookUp(access: ArtifactsAccess = artifacts.access()) {
  return runBuild(workspace.baseDir, postMerge, "post-merge", { properties: buildProperties("post-merge", 9), services: { artifacts: access }, build: "build-9" });
}

describe("GetArtifactsFromStage across builds", () => {
  it("finds the last successful build of the same commit and stage", async () => {
    const first = await preMerge(1, "SUCCESSFUL");
    const second = await preMerge(2, "SUCCESSFUL");
    await preMerge(3, "FAILED");

    const { outcome, observer } = await lookUp();

    expect(outcome.result).toBe("success");
    expect(outcome.properties.pre_merge_artifacts).toBe(second);
    expect(first < second).toBe(true);
    expect(observer.log("post-merge")).toContain(`found ${second}`);
  });

  it("fails saying so when no build of that stage succeeded", async () => {
    await preMerge(1, "FAILED");

    const { outcome } = await lookUp();

    expect(outcome.result).toBe("failure");
    expect(outcome.steps[0]?.summary).toBe("no artifacts found for this commit and stage 'pre-merge': no build of it succeeded, or its artifacts expired");
  });

  it("never gives a trusted build the container of a fork's build", async () => {
    await preMerge(4, "SUCCESSFUL", artifacts.access({ untrusted: true }));

    expect((await lookUp()).outcome.result).toBe("failure");
    expect((await lookUp(artifacts.access({ untrusted: true }))).outcome.result).toBe("success");
  });

  it("does not mistake another stage whose name starts the same", async () => {
    const properties = buildProperties("pre-merge-extra", 5);
    const { outcome } = await runBuild(workspace.baseDir, buildFileOf({ "pre-merge-extra": [["ShellCommand", { command: "mkdir -p out && echo x > out/x" }], ["Upload", { source: "out" }]] }), "pre-merge-extra", {
      properties,
      services: { artifacts: artifacts.access() },
      build: "build-5",
    });
    await recordArtifactsResult(artifacts.store, outcome.properties, "build-5", outcome.result);

    expect((await lookUp()).outcome.result).toBe("failure");
  });
});
