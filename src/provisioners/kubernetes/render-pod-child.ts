/**
 * Child-process entry of renderPodTemplate: reads one `{ source, input }` as
 * JSON on stdin, renders it once, writes the RenderResult as JSON on stdout and
 * exits. It starts as a fresh `node` (not a fork of Eve: nothing of Eve's
 * memory), with an empty environment, a small heap and Node's permission model
 * letting it read only its own code and nunjucks (see run-sandboxed-node.ts).
 */
import { renderInSandbox, type TemplateInput } from "./render-in-sandbox.js";

const chunks: Buffer[] = [];
process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
process.stdin.on("end", () => {
  const { source, input } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { source: string; input: TemplateInput };
  process.stdout.write(JSON.stringify(renderInSandbox(source, input)), () => process.exit(0));
});
