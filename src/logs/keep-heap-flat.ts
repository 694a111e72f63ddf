/**
 * Streaming a log allocates short-lived strings at hundreds of MB/s. V8 grows
 * its young generation whenever enough bytes survive scavenges in total, so
 * over a long log it creeps to its 16 MB semi-space maximum (~25 MB of RSS)
 * even though nothing accumulates. Keeping the young generation at its initial
 * size keeps peak memory flat from a 10 MB to a 1 GB log at no measurable cost
 * in throughput.
 *
 * A fan-out's stages promote what lives for a stage's length (its run's
 * records, its writes in flight) into the old generation, which V8 lets grow to
 * up to 4 × what was live after its last full collection before it collects
 * again: over 1,000 stages the stage process's RSS rose ~65 MB with ~30 MB more
 * alive. Old space 5% over the live size holds that growth to ~20 MB, for a
 * few more full collections (no measurable cost in the fan-out's time, nor in
 * a 1 GB log's throughput).
 * Processes that run stages (`eve run`, workers) call this once.
 *
 * Both come after start-up, by which time loading Eve's modules has grown the
 * young generation to its 16 MB semi-space maximum, kept for good: npm start's
 * stage process is started with a maximum of 8 MB (STAGE_PROCESS_NODE_ARGS),
 * which V8 reads at start-up only. Over a 1,000-stage fan-out its RSS rose
 * 31–37 MB with 16 and 20–25 MB with 8, for ~0.1 ms more of scavenges a stage
 * (0.26 → 0.35 ms in its profile; 4 MB cost 0.47 ms, 2 MB 0.64 ms).
 */
import { setFlagsFromString } from "node:v8";

/** Node flags for a process started to run stages (placed before the parent's own, which win). */
export const STAGE_PROCESS_NODE_ARGS: readonly string[] = ["--max-semi-space-size=8"];

export function keepHeapFlat(): void {
  // Both read by V8 each time it sizes a space, so setting them at run time works.
  setFlagsFromString("--semi-space-growth-factor=1");
  setFlagsFromString("--heap-growing-percent=5");
}
