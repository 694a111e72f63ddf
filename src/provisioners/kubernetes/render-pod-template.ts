/**
 * Renders a kube_pod stage's pod template (Jinja2 as Eve did, with exactly
 * two variables, `images` and `vars`, undefined names an error). The template
 * comes from the repository under test, from any branch, so two walls stand
 * between it and the Eve host: render-in-sandbox.ts checks nunjucks' tree
 * against an allowlist before anything runs, and the rendering happens in a
 * separate short-lived process (run-sandboxed-node.ts) that has no secret, no
 * App key and no other build's data to reach, reads only its own code, and is
 * bounded in time, memory and output. One process per rendering.
 */
import { getRenderChildEntry } from "./render-child-entry.js";
import { MAX_OUTPUT_BYTES, type RenderResult, type TemplateInput } from "./render-in-sandbox.js";
import { startSandboxedNode, type SandboxedNode } from "./run-sandboxed-node.js";

export type { RenderResult, TemplateInput } from "./render-in-sandbox.js";

export interface RenderLimits {
  /** Wall-clock limit of one rendering, process start included. */
  timeoutMs: number;
  /** Old-generation heap of the rendering process. */
  maxHeapMb: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { timeoutMs: 5_000, maxHeapMb: 64 };

/** The JSON of a result holding MAX_OUTPUT_BYTES of text fits in this, escapes included. */
const MAX_REPLY_BYTES = 6 * MAX_OUTPUT_BYTES + 4096;

/**
 * One process started ahead, so that a rendering does not wait for node to
 * start and load nunjucks (about half of its cost). It has seen no input:
 * each process still renders one template, for one stage, and exits.
 */
let spare: { process: SandboxedNode; maxHeapMb: number } | undefined;

export async function renderPodTemplate(source: string, input: TemplateInput, limits: RenderLimits = DEFAULT_RENDER_LIMITS): Promise<RenderResult> {
  const { entry, readable } = await getRenderChildEntry();
  const start = (): SandboxedNode => startSandboxedNode({ entry, readable, maxHeapMb: limits.maxHeapMb });
  const ready = spare?.maxHeapMb === limits.maxHeapMb && spare.process.alive ? spare.process : undefined;
  if (!ready) spare?.process.kill();
  const taken = ready ?? start();
  spare = { process: start(), maxHeapMb: limits.maxHeapMb };
  const run = await taken.run({
    stdin: JSON.stringify({ source, input: { images: input.images, vars: input.vars } }),
    timeoutMs: limits.timeoutMs,
    maxStdoutBytes: MAX_REPLY_BYTES,
  });
  if (run.stopped === "timeout") return { ok: false, message: `rendering the template took longer than ${limits.timeoutMs} ms` };
  if (run.stopped === "output") return { ok: false, message: `the rendered template is larger than ${MAX_OUTPUT_BYTES} bytes` };
  if (run.error) return { ok: false, message: `rendering the template failed: ${run.error.message}` };
  if (run.code === 0 && run.stdout !== "") return parseReply(run.stdout);
  if (/heap out of memory|Reached heap limit/.test(run.stderr)) return { ok: false, message: `rendering the template used more than ${limits.maxHeapMb} MB of memory` };
  return { ok: false, message: `rendering the template stopped without a result (${run.signal ?? `exit ${String(run.code)}`})${lastLine(run.stderr)}` };
}

/** The child's reply, checked: even a subverted child can only hand back text, which enforce-pod.ts then checks. */
function parseReply(reply: string): RenderResult {
  try {
    const value = JSON.parse(reply) as Partial<Record<"ok" | "text" | "message", unknown>>;
    if (value.ok === true && typeof value.text === "string") return { ok: true, text: value.text };
    if (value.ok === false && typeof value.message === "string") return { ok: false, message: value.message };
  } catch {
    // Reported below.
  }
  return { ok: false, message: "rendering the template gave an unreadable result" };
}

function lastLine(text: string): string {
  const line = text.trim().split("\n").pop()?.trim();
  return line ? `: ${line.slice(0, 300)}` : "";
}
