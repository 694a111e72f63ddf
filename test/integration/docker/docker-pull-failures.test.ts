/**
 * A docker stage whose image cannot be pulled: the build's fault (`failure`)
 * when the name is invalid or the registry does not have it, Eve's
 * infrastructure (`exception`) when the registry cannot be reached. A real
 * registry on localhost plays the reachable one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../helpers/engine-harness.js";
import { freePort } from "../../helpers/free-port.js";
import { startLocalRegistry, type LocalRegistry } from "../../helpers/kube-stand-in/local-registry.js";
import { labelledContainers } from "./docker-fixtures.js";

let registry: LocalRegistry;
const base = createWorkspaceBase();

beforeAll(async () => {
  registry = await startLocalRegistry();
}, 60_000);

afterAll(async () => {
  await registry.stop();
  base.cleanup();
});

async function stageOn(image: string) {
  const { outcome, observer } = await runBuild(base.baseDir, buildFileOf({ s: { worker: { type: "docker", image }, steps: [["ShellCommand", { command: "true" }]] } }), "s");
  return { result: outcome.result, summary: outcome.summary, log: observer.log("s") };
}

describe("a docker stage whose image cannot be pulled", () => {
  it("fails when the registry does not have the image (404)", async () => {
    const stage = await stageOn(`${registry.host}/eve-test/nope:1`);

    expect(stage.result).toBe("failure");
    expect(stage.summary).toContain(`image '${registry.host}/eve-test/nope:1' cannot be pulled: `);
    expect(stage.summary).toContain("not found: manifest unknown");
  });

  it("fails when the image name is invalid (400)", async () => {
    const stage = await stageOn("Not/A:Valid:Name");

    expect(stage.result).toBe("failure");
    expect(stage.summary).toContain("invalid reference format");
  });

  it("ends in exception, Eve's infrastructure, when the registry cannot be reached (500)", async () => {
    const stage = await stageOn(`127.0.0.1:${await freePort()}/eve-test/app:1`);

    expect(stage.result).toBe("exception");
    expect(stage.summary).toContain("could not be pulled (registry or network)");
    expect(stage.summary).toContain("connection refused");
    expect(labelledContainers("test")).toEqual([]);
  });
});
