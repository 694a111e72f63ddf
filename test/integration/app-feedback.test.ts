import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness } from "./app-harness.js";

const CHILDREN = 20;
const children = Array.from({ length: CHILDREN }, (_, i) => `c${i}`);

/** The top stage triggers `watched` (waiting on the fifo) first, then a fan-out whose queued creates pile up in the lane. */
function buildFile(fifo: string): string {
  const local = (name: string, command: string) => `  ${name}:\n    worker: {type: local}\n    steps:\n      - ShellCommand: {command: "${command}"}`;
  return `version: 0.2
branches:
  default:
    stage: top
stages:
  top:
    worker: {type: local}
    steps:
      - TriggerStages: {stage_names: [watched, ${children.join(", ")}]}
${local("watched", `read line < ${fifo}`)}
${children.map((name) => local(name, "true")).join("\n")}
`;
}

let app: AppHarness | undefined;
let dir: string | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("feedback on GitHub", () => {
  it("writes a started stage's in_progress ahead of the installation's backlog of queued creates, within 4 writes per run", async () => {
    dir = mkdtempSync(join(tmpdir(), "eve-feedback-"));
    const fifo = join(dir, "release");
    execFileSync("mkfifo", [fifo]);
    // GitHub's pacing (here shorter than its 1 s): 20 creates make a backlog of 3 s, longer than a local stage takes to start.
    app = await startAppHarness(buildFile(fifo), { EVE_GITHUB_WRITE_INTERVAL_MS: "150" });
    const harness = app;
    const watchedId = () => harness.checkRuns().find((run) => run.name === "watched")?.id;
    const inProgressIndex = () =>
      harness.github.requests.findIndex(
        (r) => (r.body as { status?: string } | undefined)?.status === "in_progress" && ((r.operation === "checks/create" && (r.body as { name?: string }).name === "watched") || (r.operation === "checks/update" && Number(r.params.check_run_id) === watchedId())),
      );

    await harness.push({ id: "delivery-feedback" });
    // The stage waits on the fifo until the test has seen its in_progress arrive.
    await expect.poll(inProgressIndex, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(0);
    const seenAt = inProgressIndex();
    const childCreatesBefore = harness.github.requests.slice(0, seenAt).filter((r) => r.operation === "checks/create" && children.includes((r.body as { name: string }).name)).length;
    await writeFile(fifo, "go\n");
    await expect.poll(() => harness.checkRuns().filter((run) => run.statuses.at(-1) === "completed").length, { timeout: 120_000, interval: 100 }).toBe(CHILDREN + 2);

    // Sent in turn behind the fan-out's creates (as before priorities), it came after all of them.
    expect(childCreatesBefore).toBeLessThan(CHILDREN);
    const runs = harness.checkRuns();
    expect(runs.find((run) => run.name === "watched")).toMatchObject({ conclusion: "success" });
    expect(runs.every((run) => run.conclusion === "success")).toBe(true);
    // ≤ 4 writes per stage run (queued create, in_progress, one progress, completed).
    for (const run of runs) {
      const writes = harness.github.requests.filter((r) => (r.operation === "checks/create" && (r.body as { name?: string }).name === run.name) || (r.operation === "checks/update" && Number(r.params.check_run_id) === run.id));
      expect(writes.length, run.name).toBeLessThanOrEqual(4);
    }
  }, 180_000);
});
