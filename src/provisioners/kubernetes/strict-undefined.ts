/**
 * Jinja2's StrictUndefined, which Eve's templates were rendered with, on
 * nunjucks' tree: every use of a name or member that is not there is an
 * error naming it. nunjucks only refuses to *output* an undefined value, and
 * silently renders `{{ vars.registry ~ '/worker' }}` as "undefined/worker",
 * loops over an undefined list zero times and filters it to "". Each name and
 * member lookup is wrapped in a call of Eve's check, except where Jinja2
 * allows an undefined value: the value tested by `is defined` (or any test)
 * and the value given to `default`. Runs after template-policy.ts's gate, on
 * the tree it accepted; templates cannot name the helper (`__`).
 */
import type { TemplateNode } from "./template-policy.js";

export const DEFINED_HELPER = "__eve_defined";

/** Builds the helper's call, with nunjucks' node classes. */
export interface CallFactory {
  call(like: TemplateNode, helper: string, args: TemplateNode[]): TemplateNode;
  literal(like: TemplateNode, value: string | number): TemplateNode;
}

/** The helper: the value itself, or an error naming the expression that is undefined and where it is (1-based). */
export function requireDefined(value: unknown, expression: unknown, line: unknown, column: unknown): unknown {
  if (value !== undefined) return value;
  // With `lineno` set, nunjucks adds no position of its own (its positions in calls are off by one).
  throw Object.assign(new Error(`line ${Number(line) + 1}, column ${Number(column) + 1}: '${String(expression)}' is undefined`), { lineno: Number(line) + 1 });
}

/** Fields that hold names, not values: loop and set targets, callee and filter names, test names, dict keys. */
const NOT_VALUES: Record<string, ReadonlySet<string>> = {
  For: new Set(["name"]),
  Set: new Set(["targets"]),
  FunCall: new Set(["name"]),
  Filter: new Set(["name"]),
  Is: new Set(["right"]),
  Pair: new Set(["key"]),
};

/** Rewrites the tree in place so that every use of an undefined name or member fails. */
export function wrapUndefinedUses(root: TemplateNode, factory: CallFactory): void {
  walk(root, factory, new WeakSet());
}

function walk(node: TemplateNode, factory: CallFactory, allowed: WeakSet<TemplateNode>): void {
  const skip = NOT_VALUES[node.typename];
  // Undefined is allowed only as the tested value and as default()'s input; their own targets are still checked.
  if (node.typename === "Is" && isNode(node.left)) allowed.add(node.left);
  if (node.typename === "Filter" && isNode(node.name) && (node.name.value === "default" || node.name.value === "d") && isNode(node.args)) {
    const first = node.args.children?.[0];
    if (first) allowed.add(first);
  }
  for (const field of node.fields) {
    // A test's name is not a value, but its arguments (`is divisibleby(vars.n)`) are.
    const testName = node.typename === "Is" && field === "right";
    if (skip?.has(field) && !testName) continue;
    const value = node[field];
    if (Array.isArray(value)) value.forEach((item, i) => (value[i] = visit(item, factory, allowed, false)));
    else if (isNode(value)) node[field] = visit(value, factory, allowed, testName);
  }
}

function visit(value: unknown, factory: CallFactory, allowed: WeakSet<TemplateNode>, notValue: boolean): TemplateNode {
  const node = value as TemplateNode;
  if (!isNode(value)) return node;
  const expression = describe(node);
  walk(node, factory, allowed);
  if (notValue || allowed.has(node) || expression === undefined) return node;
  return factory.call(node, DEFINED_HELPER, [node, factory.literal(node, expression), factory.literal(node, node.lineno), factory.literal(node, node.colno)]);
}

/** `vars.a.b`, `images['docker-builder']`, `vars.list[0]` for names and lookups; undefined for anything else. */
function describe(node: TemplateNode): string | undefined {
  if (node.typename === "Symbol") return String(node.value);
  if (node.typename !== "LookupVal" || !isNode(node.target) || !isNode(node.val)) return undefined;
  const target = describe(node.target) ?? "(value)";
  const key = node.val.value;
  return typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${target}.${key}` : `${target}[${JSON.stringify(key)}]`;
}

function isNode(value: unknown): value is TemplateNode {
  return typeof value === "object" && value !== null && typeof (value as { typename?: unknown }).typename === "string";
}
