/**
 * The linter keeps docs/architecture.md's dependency direction: this runs
 * Biome, with the project's biome.json, on a small tree that imports the
 * wrong way, and on one that imports the right way.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../..");
const BIOME = join(ROOT, "node_modules/.bin/biome");

const WRONG_WAY: Record<string, string> = {
  "src/buildfile/imports-queue.ts": `import { getQueueName } from "../queue/queues.js";\nexport const name = getQueueName;\n`,
  "src/buildfile/yaml/imports-engine.ts": `import { worstResult } from "../../engine/results.js";\nexport const worst = worstResult;\n`,
  "src/engine/imports-bullmq.ts": `import { Queue } from "bullmq";\nexport const queue = Queue;\n`,
  "src/provisioners/imports-octokit.ts": `import { Octokit } from "@octokit/rest";\nexport const octokit = Octokit;\n`,
  "src/engine/imports-reporting.ts": `import { TerminalReporter } from "../reporting/terminal-reporter.js";\nexport const reporter = TerminalReporter;\n`,
  "src/logs/imports-engine.ts": `import { runStage } from "../engine/run-stage.js";\nexport const run = runStage;\n`,
  "src/queue/imports-handlers.ts": `import { onPush } from "../handlers/on-push.js";\nexport const handler = onPush;\n`,
  "src/any-new-folder/imports-handlers.ts": `import { onPush } from "../handlers/on-push.js";\nexport const handler = onPush;\n`,
  "src/engine/cycle-a.ts": `import { b } from "./cycle-b.js";\nexport const a = (): number => b() + 1;\n`,
  "src/engine/cycle-b.ts": `import { a } from "./cycle-a.js";\nexport const b = (): number => a() - 1;\n`,
  // A cycle of types only is one too (engine ↔ logs and the check-*-rules files were such cycles).
  "src/buildfile/type-cycle-a.ts": `import type { B } from "./type-cycle-b.js";\nexport interface A { b?: B }\n`,
  "src/buildfile/type-cycle-b.ts": `import type { A } from "./type-cycle-a.js";\nexport interface B { a?: A }\n`,
};

const RIGHT_WAY: Record<string, string> = {
  "src/buildfile/imports-own.ts": `import { worker } from "./worker.js";\nexport const own = worker;\n`,
  "src/buildfile/worker.ts": `export const worker = "w";\n`,
  "src/buildfile/yaml/imports-parent.ts": `import { worker } from "../worker.js";\nexport const parent = worker;\n`,
  "src/engine/imports-below.ts": `import { worker } from "../buildfile/worker.js";\nimport { sink } from "../logs/sink.js";\nexport const below = [worker, sink];\n`,
  "src/logs/sink.ts": `export const sink = "s";\n`,
  "src/queue/imports-engine.ts": `import { below } from "../engine/imports-below.js";\nimport { Queue } from "bullmq";\nexport const queue = [below, Queue];\n`,
  "src/handlers/imports-queue.ts": `import { queue } from "../queue/imports-engine.js";\nexport const handler = queue;\n`,
  "src/app.ts": `import { handler } from "./handlers/imports-queue.js";\nexport const app = handler;\n`,
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Biome's findings on a tree of `files` (GitHub reporter lines: `::error title=lint/…,file=…`). */
async function lint(files: Record<string, string>): Promise<{ code: number; findings: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "eve-layering-"));
  dirs.push(dir);
  copyFileSync(join(ROOT, "biome.json"), join(dir, "biome.json"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  try {
    const { stdout } = await promisify(execFile)(BIOME, ["lint", "--reporter=github", "--max-diagnostics=none"], { cwd: dir });
    return { code: 0, findings: findingsOf(stdout, dir) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, findings: findingsOf(failed.stdout ?? "", dir) };
  }
}

function findingsOf(stdout: string, dir: string): string[] {
  return [...stdout.matchAll(/^::error title=([^,]+),file=([^,]+),/gm)].map(([, rule, file]) => `${relative(dir, file ?? "")} ${rule ?? ""}`).sort();
}

describe("the linter's import rules", () => {
  it("fail on every import that goes the wrong way, and on an import cycle", async () => {
    const { code, findings } = await lint(WRONG_WAY);

    expect(code).toBe(1);
    expect(findings).toEqual([
      "src/any-new-folder/imports-handlers.ts lint/style/noRestrictedImports",
      "src/buildfile/imports-queue.ts lint/style/noRestrictedImports",
      "src/buildfile/type-cycle-a.ts lint/suspicious/noImportCycles",
      "src/buildfile/type-cycle-b.ts lint/suspicious/noImportCycles",
      "src/buildfile/yaml/imports-engine.ts lint/style/noRestrictedImports",
      "src/engine/cycle-a.ts lint/suspicious/noImportCycles",
      "src/engine/cycle-b.ts lint/suspicious/noImportCycles",
      "src/engine/imports-bullmq.ts lint/style/noRestrictedImports",
      "src/engine/imports-reporting.ts lint/style/noRestrictedImports",
      "src/logs/imports-engine.ts lint/style/noRestrictedImports",
      "src/provisioners/imports-octokit.ts lint/style/noRestrictedImports",
      "src/queue/imports-handlers.ts lint/style/noRestrictedImports",
    ]);
  });

  it("pass imports that go down the layers", async () => {
    expect(await lint(RIGHT_WAY)).toEqual({ code: 0, findings: [] });
  });
});
