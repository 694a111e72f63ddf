import { describe, expect, it } from "vitest";
import { getArtifactsName, getArtifactsPrefix, isArtifactsName, withArtifactsProperties } from "./artifacts-properties.js";

const naming = { publicUrl: "https://eve.example.com/artifacts", privateUrl: "http://eve.internal/artifacts", prefix: "staging-" };
const properties = {
  git_host: "github",
  git_owner: "scality",
  git_slug: "metalk8s",
  product_version: "2.4.1",
  commit_timestamp: "240102030405",
  commit_short_revision: "0123456789",
  stage_name: "pre-merge",
  bootstrap: 42,
  buildnumber: 42,
  eve_api_version: "0.2",
};
const name = "github:scality:metalk8s:staging-2.4.1.r240102030405.0123456789.pre-merge.00000042";

describe("artifacts naming", () => {
  it("names the container as Eve did", () => {
    expect(getArtifactsName(properties, "staging-")).toBe(name);
    expect(getArtifactsPrefix(properties, "post-merge", "staging-")).toBe("github:scality:metalk8s:staging-2.4.1.r240102030405.0123456789.post-merge");
  });

  it("sets the name and both URLs for version 0.2", () => {
    expect(withArtifactsProperties(properties, naming)).toMatchObject({
      artifacts_name: name,
      artifacts_public_url: `https://eve.example.com/artifacts/builds/${name}`,
      artifacts_private_url: `http://eve.internal/artifacts/builds/${name}`,
    });
  });

  it("puts the build's token in artifacts_private_url as its password, so paths appended to it keep it", () => {
    const minted: string[] = [];
    const mintToken = (container: string): string => {
      minted.push(container);
      return "t0ken.sig-_";
    };

    expect(withArtifactsProperties(properties, { ...naming, mintToken }).artifacts_private_url).toBe(`http://eve:t0ken.sig-_@eve.internal/artifacts/builds/${name}`);
    expect(minted).toEqual([name]);
  });

  it.each([
    ["a 0.1 build file", { ...properties, eve_api_version: "0.1" }],
    ["a build of no commit", { ...properties, commit_timestamp: undefined }],
  ])("sets nothing for %s", (_, input) => {
    expect(withArtifactsProperties(input, naming)).not.toHaveProperty("artifacts_name");
  });

  it.each([
    [name, true],
    ["github:o:r:staging-1.0.r1.abc.top.00000001", true],
    ["github:o:r", false],
    ["github:o/x:r:staging-1", false],
    ["github:o:r:../../etc", false],
    ["github:o:r:a b", false],
  ])("%s is a container name: %s", (candidate, expected) => {
    expect(isArtifactsName(candidate)).toBe(expected);
  });
});
