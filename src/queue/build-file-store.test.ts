import { randomUUID } from "node:crypto";
import { serialize } from "node:v8";
import { describe, expect, it, vi } from "vitest";
import { usePrefixedRedis } from "../../test/helpers/prefixed-redis.js";
import { loadBuildFile, saveBuildFile } from "./build-file-store.js";
import { validateAppBuildFile } from "./validated-build-files.js";

const db = usePrefixedRedis();
const store = () => ({ redis: db.redis, prefix: db.prefix });

const file = (stage: string) =>
  `version: 0.2\nbranches:\n  default:\n    stage: ${stage}\nstages:\n  ${stage}:\n    worker: {type: local}\n    steps:\n      - ShellCommand: {command: 'echo ${stage}', haltOnFailure: true}\n`;

function validated(text: string) {
  const { buildFile } = validateAppBuildFile(text, "eve/main.yml");
  if (!buildFile) throw new Error("the fixture does not validate");
  return buildFile;
}

describe("build file store", () => {
  it("gives a build's stages the app's validated file, read from Redis once per process", async () => {
    const build = `b${randomUUID()}`;
    const text = file("pre-merge");
    await saveBuildFile(store(), build, text, validated(text));
    // Not parsed here: the stored form is taken as it is.
    await db.redis.set(`${db.prefix}:build:${build}:file`, "not: [yaml");
    const reads = vi.spyOn(db.redis, "getBuffer");

    const first = await loadBuildFile(store(), build, "eve/main.yml");
    const second = await loadBuildFile(store(), build, "eve/main.yml");

    expect(first).toEqual(validated(text));
    expect(second).toBe(first);
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
  });

  it("validates the text itself when the stored form is another version's, or damaged", async () => {
    const text = file("post-merge");
    for (const stored of [serialize({ format: 0, buildFile: { version: "0.2", branches: [], stages: new Map() } }), Buffer.from("garbage")]) {
      const build = `b${randomUUID()}`;
      await saveBuildFile(store(), build, text, validated(text));
      await db.redis.set(`${db.prefix}:build:${build}:validated`, stored);

      expect(await loadBuildFile(store(), build, "eve/main.yml")).toEqual(validated(text));
    }
  });

  it("says when the build's file has expired, or no longer validates", async () => {
    const gone = `b${randomUUID()}`;
    const broken = `b${randomUUID()}`;
    await db.redis.set(`${db.prefix}:build:${broken}:file`, "version: 0.2\nstages: [\n");

    expect(await loadBuildFile(store(), gone, "eve/main.yml")).toBe("expired");
    expect(await loadBuildFile(store(), broken, "eve/main.yml")).toBe("invalid");
  });

  it("keeps the file with the text's expiry", async () => {
    const build = `b${randomUUID()}`;
    const text = file("nightly");
    await saveBuildFile(store(), build, text, validated(text));

    const ttls = await Promise.all(["file", "validated"].map((part) => db.redis.ttl(`${db.prefix}:build:${build}:${part}`)));
    for (const ttl of ttls) expect(ttl).toBeGreaterThan(6 * 24 * 3600);
  });
});
