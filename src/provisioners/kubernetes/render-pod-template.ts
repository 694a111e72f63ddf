/**
 * Renders a kube_pod stage's pod template (Jinja2 as Eve did, with exactly
 * two variables, `images` and `vars`, undefined names an error). The template
 * comes from the repository under test: it is checked and rendered by
 * render-in-sandbox.ts, in a worker thread with a small heap and a deadline,
 * so neither code execution nor a loop or memory bomb reaches the Eve host.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { RenderResult, TemplateInput } from "./render-in-sandbox.js";

export type { RenderResult, TemplateInput } from "./render-in-sandbox.js";

export interface RenderLimits {
  /** Wall-clock limit of one rendering. */
  timeoutMs: number;
  /** Old-generation heap of the rendering thread. */
  maxHeapMb: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { timeoutMs: 5_000, maxHeapMb: 64 };

export function renderPodTemplate(source: string, input: TemplateInput, limits: RenderLimits = DEFAULT_RENDER_LIMITS): Promise<RenderResult> {
  return new Promise((resolve) => {
    const worker = createWorker({ source, input: { images: { ...input.images }, vars: structuredClone(input.vars) } }, limits);
    let settled = false;
    const settle = (result: RenderResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => settle({ ok: false, message: `rendering the template took longer than ${limits.timeoutMs} ms` }), limits.timeoutMs);
    worker.once("message", (result: RenderResult) => settle(result));
    worker.once("error", (error: Error & { code?: string }) =>
      settle({
        ok: false,
        message: error.code === "ERR_WORKER_OUT_OF_MEMORY" ? `rendering the template used more than ${limits.maxHeapMb} MB of memory` : `rendering the template failed: ${error.message}`,
      }),
    );
    worker.once("exit", () => settle({ ok: false, message: "rendering the template stopped without a result" }));
  });
}

function createWorker(workerData: { source: string; input: TemplateInput }, limits: RenderLimits): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: 8, stackSizeMb: 4 };
  const compiled = new URL("./render-pod-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData, resourceLimits });
  // Running from the TypeScript sources (tests, tsx): a worker has no loader of its own, so register tsx in it first.
  const entry = new URL("./render-pod-worker.ts", import.meta.url).href;
  const code = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData, resourceLimits });
}
