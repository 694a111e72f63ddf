// Lint speed: a real-sized build file, and a hostile file just under the 1 MiB limit (the tests only check results).
import { readFileSync } from "node:fs";
import { validateBuildFile } from "../dist/buildfile/validate-build-file.js";

const fixture = readFileSync(new URL("../test/fixtures/buildfiles/stages-and-workers.yml", import.meta.url), "utf8");

/** Stages full of unknown step types and mistyped values, `count` of them (as the fuzz test's hostile file). */
function hostile(count) {
  const lines = ["branches:", "  default:", "    stage: s0", "stages:"];
  for (let index = 0; index < count; index++) {
    lines.push(`  s${index}:`, `    worker: {type: wat${index}, path: [1], memory: {}}`, "    steps:");
    lines.push(`      - Frob${index}: {command: [{}], timeout: {}, env: 1}`);
    lines.push("      - ShellCommand: {command: [{}], timeout: {}, doStepIf: [1], env: 1, name: 3, workdir: []}");
  }
  return lines.join("\n");
}

function fastest(text, rounds) {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    validateBuildFile(text, "main.yml");
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

export async function benchLint() {
  // Fifty copies of the fixture's stages make a file of real size (metalk8s has 43 stages, ~3,000 lines).
  const [head, stages] = fixture.split("\nstages:\n");
  const large = `${head}\nstages:\n${Array.from({ length: 50 }, (_, i) => stages.replace(/^  (\S[^:]*):/gm, `  $1 ${i}:`)).join("")}`;
  let count = 100;
  while (hostile(count * 2).length < 1024 * 1024) count *= 2;
  const huge = hostile(count);
  const largeMs = fastest(large, 5);
  const hugeMs = fastest(huge, 2);
  return {
    name: "(lint) build-file validation",
    lines: [
      `${large.split("\n").length}-line build file: ${largeMs.toFixed(0)} ms (target ≤ 300 ms)`,
      `hostile file of ${(huge.length / 1024).toFixed(0)} KiB: ${hugeMs.toFixed(0)} ms (target ≤ 5000 ms)`,
    ],
    pass: largeMs <= 300 && hugeMs <= 5000,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchLint();
  console.log([result.name, ...result.lines.map((l) => `  ${l}`)].join("\n"));
}
