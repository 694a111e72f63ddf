import { describe, expect, it } from "vitest";
import { CloudQuarantine } from "./cloud-quarantine.js";

describe("CloudQuarantine", () => {
  it("grows from 5 minutes to at most 1 hour on failures in a row, and a success ends it", () => {
    const quarantine = new CloudQuarantine(300_000, 3_600_000);
    const ends: number[] = [];

    for (let failure = 0; failure < 6; failure++) {
      quarantine.failed(0);
      ends.push(quarantine.activeUntil(0)?.getTime() ?? -1);
    }
    quarantine.succeeded();

    expect(ends).toEqual([300_000, 600_000, 1_200_000, 2_400_000, 3_600_000, 3_600_000]);
    expect(quarantine.activeUntil(0)).toBeUndefined();
    quarantine.failed(0);
    expect(quarantine.activeUntil(0)?.getTime()).toBe(300_000);
    expect(quarantine.activeUntil(300_000)).toBeUndefined();
  });
});
