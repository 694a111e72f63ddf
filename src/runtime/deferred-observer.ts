/**
 * A StageObserver that holds calls until `ready` settles, then replays them in
 * order and passes later calls straight through. The stage runs on meanwhile:
 * a worker does not wait for GitHub to hand out its check run's id; past
 * HOLD_CHARS of held output, though, a step's output waits for the replay
 * (backpressure), so a slow GitHub cannot grow Eve's memory.
 */
import type { StageObserver } from "../engine/types.js";

export function deferObserver(target: StageObserver, ready: Promise<unknown>): { observer: StageObserver; replayed: Promise<void> } {
  let held: ((observer: StageObserver) => unknown)[] | undefined = [];
  let heldChars = 0;
  const replayed = ready.then(
    () => undefined,
    () => undefined,
  ).then(async () => {
    // Calls made while the held ones replay (an output's backpressure is awaited) join the queue:
    // passing them straight through would put a step's later output before its earlier output.
    const calls = held ?? [];
    for (let call = calls.shift(); call !== undefined; call = calls.shift()) await call(target);
    held = undefined;
  });
  const forward = (call: (observer: StageObserver) => unknown) => {
    if (held) held.push(call);
    else return call(target);
    return undefined;
  };
  const observer: StageObserver = {
    stageStarted: (stage) => void forward((o) => o.stageStarted(stage)),
    stepStarted: (stage, index, name) => void forward((o) => o.stepStarted(stage, index, name)),
    output: (stage, text) => {
      const passed = forward((o) => o.output(stage, text)) as void | Promise<void>;
      if (!held) return passed;
      heldChars += text.length;
      return heldChars > HOLD_CHARS ? replayed : undefined;
    },
    info: (stage, line) => void forward((o) => o.info(stage, line)),
    stepFinished: (stage, index, outcome) => void forward((o) => o.stepFinished(stage, index, outcome)),
    stageFinished: (stage, outcome) => void forward((o) => o.stageFinished(stage, outcome)),
  };
  return { observer, replayed };
}

/** Output held while a run waits for its check run's id, beyond which its producer waits too. */
const HOLD_CHARS = 1 << 20;
