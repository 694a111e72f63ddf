// (a) Engine overhead per step: a stage of 100 `true` steps vs 100 × `sh -c true` spawned directly.
import { buildFileOf, ms, runBenchStage, runShell } from "./harness.js";

const STEPS = 100;

export async function benchSteps() {
  const buildFile = buildFileOf(Array.from({ length: STEPS }, (_, i) => ["ShellCommand", { name: `step ${i}`, command: "true" }]));
  await runBenchStage(buildFileOf([["ShellCommand", { command: "true" }]])); // warm-up
  let raw = Infinity;
  let engine = Infinity;
  for (let round = 0; round < 3; round++) {
    let start = process.hrtime.bigint();
    for (let i = 0; i < STEPS; i++) await runShell("true");
    raw = Math.min(raw, ms(start));
    start = process.hrtime.bigint();
    await runBenchStage(buildFile);
    engine = Math.min(engine, ms(start));
  }
  const overhead = (engine - raw) / STEPS;
  return {
    name: `(a) ${STEPS} trivial steps`,
    lines: [
      `raw floor: ${STEPS} × sh -c true   ${raw.toFixed(0)} ms (${(raw / STEPS).toFixed(2)} ms/step)`,
      `engine:    stage of ${STEPS} steps     ${engine.toFixed(0)} ms (${(engine / STEPS).toFixed(2)} ms/step)`,
      `ratio engine/raw: ${(engine / raw).toFixed(2)}; engine overhead: ${overhead.toFixed(2)} ms/step (target ≤ 5 ms)`,
    ],
    row: { workload: `steps${STEPS}: one stage, ${STEPS} × true (engine)`, floorMs: raw, eveMs: engine },
    pass: overhead <= 5,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchSteps();
  console.log([result.name, ...result.lines.map((l) => `  ${l}`)].join("\n"));
}
