import { describe, expect, it } from "vitest";
import type { StageIdentity, StageObserver } from "../engine/types.js";
import { deferObserver } from "./deferred-observer.js";

const stage = { run: "r1" } as StageIdentity;

describe("deferObserver", () => {
  it("keeps output in order when calls come while the held ones replay with backpressure", async () => {
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const target = {
      output: (_stage: StageIdentity, text: string) => {
        seen.push(text);
        // The first replayed output makes its producer wait, as a log store with too much unwritten does.
        if (text === "a") return new Promise<void>((resolve) => (release = resolve));
        return undefined;
      },
    } as unknown as StageObserver;
    let ready: () => void = () => undefined;
    const { observer, replayed } = deferObserver(target, new Promise<void>((resolve) => (ready = resolve)));
    void observer.output(stage, "a");
    void observer.output(stage, "b");
    ready();
    // Wait until the replay is blocked on "a"'s backpressure, then write more.
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["a"]);
    void observer.output(stage, "c");
    release();
    await replayed;
    void observer.output(stage, "d");
    expect(seen).toEqual(["a", "b", "c", "d"]);
  });
});
