import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { validateBuildFile } from "../buildfile/validate-build-file.js";
import { createStageQueues } from "./queues.js";
import { getBootstrapChannel } from "./redis-bootstrap-channel.js";

const queues = createStageQueues(process.env.REDIS_URL as string, `test-${randomUUID()}`);
afterAll(() => queues.close());

function parse(childStep: string) {
  const text = `version: 0.2
branches:
  main:
    stage: top
stages:
  top:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'true'}
      - TriggerStages: {stage_names: [child]}
  child:
    worker: {type: local}
    steps:
      - ${childStep}
`;
  const { buildFile } = validateBuildFile(text, "eve/main.yml");
  if (!buildFile) throw new Error("the test's build file is not valid");
  return buildFile;
}

describe("getBootstrapChannel", () => {
  it("gives a build whose file has no step that writes bootstrap properties no channel: its top stage reads nothing per step", () => {
    expect(getBootstrapChannel(queues, "b1", parse("ShellCommand: {command: 'true'}"))).toBeUndefined();
  });

  it.each(["SetBootstrapProperty: {property: p, value: v}", "SetBootstrapPropertyFromCommand: {property: p, command: 'echo v'}"])("gives a build with %s in any stage the build's channel in Redis", async (step) => {
    const build = `b-${randomUUID()}`;
    const writer = getBootstrapChannel(queues, build, parse(step));
    const reader = getBootstrapChannel(queues, build, parse(step));
    await writer?.write("p", "v");
    expect(await reader?.readFrom(0)).toEqual([["p", "v"]]);
  });
});
