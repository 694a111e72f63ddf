/**
 * Worker-thread entry of renderPodTemplate: renders once and reports. Runs in
 * its own heap with resource limits, so a template that loops or grows
 * strings without end is stopped by the thread's limits, not by Eve's heap.
 */
import { parentPort, workerData } from "node:worker_threads";
import { renderInSandbox, type TemplateInput } from "./render-in-sandbox.js";

const { source, input } = workerData as { source: string; input: TemplateInput };
parentPort?.postMessage(renderInSandbox(source, input));
