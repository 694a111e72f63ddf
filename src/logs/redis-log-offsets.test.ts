import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { usePrefixedRedis } from "../../test/helpers/prefixed-redis.js";
import { RedisLogStore } from "./redis-log-store.js";

const db = usePrefixedRedis();
const { prefix } = db;

describe("RedisLogStore entries carry their byte offset in the whole log", () => {
  it("gives each entry the offset of its first record, also when a long text is split across entries", async () => {
    const logs = new RedisLogStore(db.redis, { prefix, batchChars: 10, batchMs: 5 });
    const run = `r${randomUUID()}`;

    void logs.add(run, { kind: "info", line: "hé" }, 0);
    await logs.flush();
    void logs.add(run, { kind: "text", text: "ééééééééééabcdefghij" }, 4);
    await logs.finishAt(run, { result: "success", summary: "" }, 34);

    const page = await logs.read(run);
    expect(page.entries.map((entry) => [entry.offset, entry.records])).toEqual([
      [0, [{ kind: "info", line: "hé" }]],
      [4, [{ kind: "text", text: "éééééééééé" }]],
      [24, [{ kind: "text", text: "abcdefghij" }]],
      [34, [{ kind: "end", end: { result: "success", summary: "" } }]],
    ]);
    expect((await logs.readBackwards(run, undefined, 2)).map((entry) => entry.offset)).toEqual([34, 24]);
  });

  it("keeps the steps' offsets for the page while the run is live", async () => {
    const logs = new RedisLogStore(db.redis, { prefix });
    const run = `r${randomUUID()}`;

    await logs.markStep(run, { index: 0, name: "build", offset: 0 });
    await logs.markStep(run, { index: 1, name: "test", offset: 1234 });

    expect(await logs.steps(run)).toEqual([{ index: 0, name: "build", offset: 0 }, { index: 1, name: "test", offset: 1234 }]);
  });
});
