/**
 * Renders a pod template synchronously, behind the gate of template-policy.ts:
 * parse with nunjucks' own parser, check and rewrite the tree, compile that
 * tree (never the raw source) once strict-undefined.ts has made every use of
 * an undefined name an error, and render it in an environment whose globals,
 * filters and tests are replaced by allowlisted ones and with plain data only.
 * Time and memory are bounded by the caller (render-pod-template.ts runs this
 * in a separate sandboxed process with resource limits).
 */
import { createRequire } from "node:module";
import nunjucks from "nunjucks";
import { ALLOWED_FILTERS, ALLOWED_TESTS, checkTemplateTree, PYTHON_CALL_HELPER, type NodeFactory, type TemplateNode } from "./template-policy.js";
import { callPythonMethod, safeRange, toTemplateData } from "./template-data.js";
import { DEFINED_HELPER, requireDefined, wrapUndefinedUses, type CallFactory } from "./strict-undefined.js";

export interface TemplateInput {
  images: Record<string, string>;
  vars: Record<string, unknown>;
}

export type RenderResult = { ok: true; text: string } | { ok: false; message: string };

/** Largest template source and rendered output Eve accepts. */
export const MAX_TEMPLATE_BYTES = 256 * 1024;
export const MAX_OUTPUT_BYTES = 1024 * 1024;

/** nunjucks internals the public typings leave out. */
interface NunjucksInternals {
  parser: { parse(src: string, extensions: unknown[], opts: object): TemplateNode };
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => { compile(node: unknown): void; getCode(): string } };
  nodes: {
    Symbol: new (line: number, col: number, value: string) => TemplateNode;
    Literal: new (line: number, col: number, value: string | number) => TemplateNode;
    FunCall: new (line: number, col: number, name: TemplateNode, args: TemplateNode) => TemplateNode;
    NodeList: new (line: number, col: number, children: TemplateNode[]) => TemplateNode;
  };
  Environment: new (loaders: unknown[], opts: object) => SandboxEnvironment;
  Template: new (src: { type: "code"; obj: unknown }, env: SandboxEnvironment, path: string) => { render(ctx: object): string };
}

interface SandboxEnvironment {
  globals: Record<string, unknown>;
  filters: Record<string, unknown>;
  tests: Record<string, unknown>;
}

const internals = nunjucks as unknown as NunjucksInternals;
// The transformer is not re-exported by nunjucks' index; compiling a tree needs it.
const { transform } = createRequire(import.meta.url)("nunjucks/src/transformer.js") as { transform(ast: unknown, asyncFilters: string[], name: string): unknown };

const factory: NodeFactory = {
  symbol: (like, name) => new internals.nodes.Symbol(like.lineno, like.colno, name),
  literal: (like, value) => new internals.nodes.Literal(like.lineno, like.colno, value),
};
const callFactory: CallFactory = {
  literal: (like, value) => new internals.nodes.Literal(like.lineno, like.colno, value),
  call: (like, helper, args) => new internals.nodes.FunCall(like.lineno, like.colno, factory.symbol(like, helper), new internals.nodes.NodeList(like.lineno, like.colno, args)),
};

export function renderInSandbox(source: string, input: TemplateInput): RenderResult {
  if (Buffer.byteLength(source) > MAX_TEMPLATE_BYTES) return { ok: false, message: `the template is larger than ${MAX_TEMPLATE_BYTES} bytes` };
  let tree: TemplateNode;
  try {
    tree = internals.parser.parse(source, [], { autoescape: false, throwOnUndefined: true });
  } catch (error) {
    return { ok: false, message: `template syntax error: ${messageOf(error)}` };
  }
  const violation = checkTemplateTree(tree, factory);
  if (violation) return { ok: false, message: violation };
  wrapUndefinedUses(tree, callFactory);

  try {
    const compiler = new internals.compiler.Compiler("pod template", true);
    compiler.compile(transform(tree, [], "pod template"));
    // The code comes from the checked tree only; nunjucks compiles it the same way from source.
    const props: unknown = new Function(compiler.getCode())();
    const template = new internals.Template({ type: "code", obj: props }, createEnvironment(), "pod template");
    const text = template.render({ images: toTemplateData(input.images), vars: toTemplateData(input.vars) });
    if (Buffer.byteLength(text) > MAX_OUTPUT_BYTES) return { ok: false, message: `the rendered template is larger than ${MAX_OUTPUT_BYTES} bytes` };
    return { ok: true, text };
  } catch (error) {
    return { ok: false, message: `template error: ${messageOf(error)}` };
  }
}

/** An environment with nothing but allowlisted, null-prototype globals, filters and tests. */
function createEnvironment(): SandboxEnvironment {
  const env = new internals.Environment([], { autoescape: false, throwOnUndefined: true });
  env.globals = Object.assign(Object.create(null) as Record<string, unknown>, { range: safeRange, [PYTHON_CALL_HELPER]: callPythonMethod, [DEFINED_HELPER]: requireDefined });
  env.filters = pick(env.filters, ALLOWED_FILTERS);
  // join's attribute argument reads any property of the items: refuse it.
  const join = env.filters.join as (arr: unknown, del?: unknown, attr?: unknown) => unknown;
  env.filters.join = (arr: unknown, del?: unknown, attr?: unknown): unknown => {
    if (attr !== undefined) throw new Error("join() with an attribute is not allowed in pod templates");
    return join(arr, del);
  };
  env.tests = pick(env.tests, ALLOWED_TESTS);
  return env;
}

function pick(from: Record<string, unknown>, names: ReadonlySet<string>): Record<string, unknown> {
  const picked = Object.create(null) as Record<string, unknown>;
  for (const name of names) if (Object.hasOwn(from, name)) picked[name] = from[name];
  return picked;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // nunjucks prefixes "(unknown path)" / "(pod template)" and indents the cause.
  return text.replace(/^\(.*?\)\s*/, "").replace(/^Error: /, "").replace(/\n\s*/g, " ").trim();
}
