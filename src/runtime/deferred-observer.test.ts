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

  it("makes output wait once 1 MiB of it is held, and lets it go when the replay is done", async () => {
    const seen: string[] = [];
    const target = { output: (_stage: StageIdentity, text: string) => void seen.push(text) } as unknown as StageObserver;
    let ready: () => void = () => undefined;
    const { observer } = deferObserver(target, new Promise<void>((resolve) => (ready = resolve)));
    const chunk = "x".repeat(256 * 1024);

    const answers = Array.from({ length: 6 }, () => observer.output(stage, chunk));

    // Four chunks fit in the hold; from the fifth on, the producer is told to wait.
    expect(answers.map((answer) => answer instanceof Promise)).toEqual([false, false, false, false, true, true]);
    let released = false;
    void (answers[4] as Promise<void>).then(() => (released = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect([released, seen.length]).toEqual([false, 0]);
    ready();
    await answers[5];
    expect([released, seen.length]).toEqual([true, 6]);
  });
});
