import { describe, expect, it } from "vitest";
import { createBuildProperties, parseRepositoryUrl } from "./build-properties.js";

const input = { repository: "https://github.com/scality/metalk8s.git", buildNumber: 7, reason: "branch updated", stageName: "pre-merge", maxStepDurationSec: 14400 };

describe("createBuildProperties", () => {
  it("sets Eve's properties for a version 0.2 file", () => {
    const properties = createBuildProperties({ ...input, eveApiVersion: "0.2", branch: "w/1.0/x", revision: "0123456789abcdef", commitTimestamp: "240102030405" });

    expect(properties).toMatchObject({
      branch: "w/1.0/x",
      revision: "0123456789abcdef",
      repository: input.repository,
      git_reference: input.repository,
      git_repo: input.repository,
      git_host: "github",
      git_owner: "scality",
      git_slug: "metalk8s",
      project: "scality/metalk8s",
      buildnumber: 7,
      bootstrap: 7,
      reason: "pre-merge (triggered by bootstrap)",
      bootstrap_reason: "branch updated",
      stage_name: "pre-merge",
      eve_api_version: "0.2",
      max_step_duration: 14400,
      product_version: "0.0.0",
      commit_short_revision: "0123456789",
      commit_timestamp: "240102030405",
    });
  });

  it("leaves out the commit properties before version 0.2", () => {
    const properties = createBuildProperties({ ...input, eveApiVersion: "0.1", revision: "0123456789abcdef", commitTimestamp: "240102030405" });

    expect(properties).not.toHaveProperty("commit_short_revision");
    expect(properties).not.toHaveProperty("commit_timestamp");
  });
});

describe("parseRepositoryUrl", () => {
  it.each([
    ["https://github.com/o/r.git", { host: "github", owner: "o", slug: "r" }],
    ["git@bitbucket.org:o/r.git", { host: "bitbucket", owner: "o", slug: "r" }],
    ["https://x:tok@ghe.example.com:8443/o/r", { host: "ghe.example.com", owner: "o", slug: "r" }],
    ["/home/me/repo", undefined],
  ])("%s", (url, expected) => {
    expect(parseRepositoryUrl(url)).toEqual(expected);
  });
});
