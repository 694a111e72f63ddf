/**
 * The gate in front of nunjucks, which is not a sandbox: a template that can
 * name `constructor` reaches `Function` and runs code on the Eve host. Before
 * anything is compiled, every node of the parsed template is checked against
 * an allowlist: only plain expressions, `if`/`for`/`set`, the filters and
 * tests listed below, `range()` and the Python methods of template-data.ts.
 * Names that lead to prototypes or functions (`constructor`, `__proto__`,
 * `call`, …) are refused wherever they appear, member lookups need a literal
 * key, and nothing can load another template. Python method calls are
 * rewritten into a call of Eve's own helper.
 */
import { PYTHON_METHODS } from "./template-data.js";

/** The shape of nunjucks' parse tree nodes that the gate reads and rewrites. */
export interface TemplateNode {
  typename: string;
  fields: readonly string[];
  lineno: number;
  colno: number;
  value?: unknown;
  children?: TemplateNode[];
  [field: string]: unknown;
}

/** Builds a node of nunjucks' classes, for the rewrite. */
export interface NodeFactory {
  symbol(like: TemplateNode, name: string): TemplateNode;
  literal(like: TemplateNode, value: string): TemplateNode;
}

/** The helper that Python method calls are rewritten to; templates cannot name it (`__`). */
export const PYTHON_CALL_HELPER = "__eve_py";

export const ALLOWED_FILTERS: ReadonlySet<string> = new Set([
  "abs", "batch", "capitalize", "center", "default", "d", "dictsort", "dump", "first", "float", "indent", "int", "join",
  "last", "length", "count", "list", "lower", "replace", "reverse", "round", "slice", "string", "title", "trim",
  "truncate", "upper", "urlencode", "wordcount",
]);

export const ALLOWED_TESTS: ReadonlySet<string> = new Set([
  "defined", "undefined", "none", "null", "number", "string", "odd", "even", "divisibleby", "equalto", "eq", "ne",
  "sameas", "lower", "upper", "truthy", "falsy", "mapping", "iterable", "lt", "gt", "le", "ge",
]);

const STRUCTURE = new Set(["Root", "NodeList", "Output", "TemplateData", "Group", "Array", "Dict", "Pair", "KeywordArgs", "If", "InlineIf", "For", "Set", "Capture", "Switch", "Case", "Compare", "CompareOperand"]);
const OPERATORS = new Set(["Or", "And", "Not", "In", "Add", "Concat", "Sub", "Mul", "Div", "FloorDiv", "Mod", "Pow", "Neg", "Pos"]);
const EXPLAINED: Record<string, string> = {
  Include: "{% include %} is not allowed in pod templates",
  Import: "{% import %} is not allowed in pod templates",
  FromImport: "{% from … import %} is not allowed in pod templates",
  Extends: "{% extends %} is not allowed in pod templates",
  Block: "{% block %} is not allowed in pod templates",
  Macro: "{% macro %} is not allowed in pod templates",
  Caller: "{% call %} is not allowed in pod templates",
};

/** Every name that leads from a value to a prototype or a function's powers. */
const FORBIDDEN_NAMES = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  // `name` and `length` are data on everything else (a list's length, a dict's name key).
  ...Object.getOwnPropertyNames(Function.prototype).filter((name) => name !== "name" && name !== "length"),
  "prototype", "constructor", "caller", "callee", "arguments", "globalThis", "global", "process", "require", "eval",
]);

export function isForbiddenName(name: string): boolean {
  return name.startsWith("__") || FORBIDDEN_NAMES.has(name);
}

/** Checks (and rewrites Python method calls in) the tree; returns the first violation, or undefined. */
export function checkTemplateTree(root: TemplateNode, factory: NodeFactory): string | undefined {
  try {
    visit(root, factory);
    return undefined;
  } catch (error) {
    if (error instanceof PolicyViolation) return error.message;
    throw error;
  }
}

class PolicyViolation extends Error {
  constructor(node: TemplateNode, why: string) {
    super(`line ${node.lineno + 1}, column ${node.colno + 1}: ${why}`);
  }
}

function visit(node: TemplateNode, factory: NodeFactory): void {
  switch (node.typename) {
    case "Literal":
      return checkLiteral(node);
    case "Symbol":
      return checkName(node, String(node.value), "the name");
    case "LookupVal":
      // Target first: the message names the first forbidden step of a chain.
      visit(child(node, "target"), factory);
      return checkLookupKey(node);
    case "Filter": {
      const name = String(child(node, "name").value);
      if (!ALLOWED_FILTERS.has(name)) throw new PolicyViolation(node, `the filter '${name}' is not allowed in pod templates`);
      return visit(child(node, "args"), factory);
    }
    case "FunCall":
      return visitCall(node, factory);
    case "Pair": {
      const key = child(node, "key");
      if (typeof key.value === "string") checkName(key, key.value, "the key");
      break;
    }
    case "Is":
      visit(child(node, "left"), factory);
      return visitTest(child(node, "right"), factory);
    default:
      break;
  }
  if (!STRUCTURE.has(node.typename) && !OPERATORS.has(node.typename)) {
    throw new PolicyViolation(node, EXPLAINED[node.typename] ?? `'${node.typename}' is not allowed in pod templates`);
  }
  for (const field of node.fields) visitValue(node[field], factory);
}

function visitValue(value: unknown, factory: NodeFactory): void {
  if (Array.isArray(value)) for (const item of value) visitValue(item, factory);
  else if (isNode(value)) visit(value, factory);
}

/** `range(…)` and `x.method(…)` for a Python method; the latter becomes `__eve_py(x, "method", …)`. */
function visitCall(node: TemplateNode, factory: NodeFactory): void {
  const callee = child(node, "name");
  const args = child(node, "args");
  // Names first, so `"".constructor.constructor(…)()` is refused for what it reaches.
  assertNoForbiddenName(callee);
  if (callee.typename === "Symbol" && callee.value === "range") return visit(args, factory);
  if (callee.typename === "LookupVal") {
    const key = child(callee, "val");
    if (key.typename === "Literal" && typeof key.value === "string" && PYTHON_METHODS.has(key.value)) {
      const target = child(callee, "target");
      visit(target, factory);
      visit(args, factory);
      node.name = factory.symbol(callee, PYTHON_CALL_HELPER);
      args.children = [target, factory.literal(key, key.value), ...(args.children ?? [])];
      return;
    }
  }
  throw new PolicyViolation(node, `only range() and the methods ${[...PYTHON_METHODS].join(", ")} can be called in pod templates`);
}

function assertNoForbiddenName(node: TemplateNode): void {
  for (const field of node.fields) {
    const value = node[field];
    for (const item of Array.isArray(value) ? value : [value]) if (isNode(item)) assertNoForbiddenName(item);
  }
  if (node.typename === "Symbol") checkName(node, String(node.value), "the name");
  if (node.typename === "LookupVal") checkLookupKey(node);
}

function visitTest(node: TemplateNode, factory: NodeFactory): void {
  const nameNode = node.typename === "FunCall" ? child(node, "name") : node;
  const name = String(nameNode.value);
  if (nameNode.typename !== "Symbol" || !ALLOWED_TESTS.has(name)) throw new PolicyViolation(node, `the test 'is ${name}' is not allowed in pod templates`);
  if (node.typename === "FunCall") visit(child(node, "args"), factory);
}

function checkLiteral(node: TemplateNode): void {
  const { value } = node;
  if (value instanceof RegExp) throw new PolicyViolation(node, "regular expressions (r/…/) are not allowed in pod templates");
  if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw new PolicyViolation(node, "this literal is not allowed in pod templates");
  }
}

function checkLookupKey(node: TemplateNode): void {
  const key = child(node, "val");
  if (key.typename !== "Literal" || (typeof key.value !== "string" && typeof key.value !== "number")) {
    throw new PolicyViolation(node, "a member lookup needs a literal key in pod templates (x.name or x['name'])");
  }
  if (typeof key.value === "string") checkName(key, key.value, "the member");
}

function checkName(node: TemplateNode, name: string, what: string): void {
  if (isForbiddenName(name)) throw new PolicyViolation(node, `${what} '${name}' is not allowed in pod templates`);
}

function child(node: TemplateNode, field: string): TemplateNode {
  const value = node[field];
  if (!isNode(value)) throw new PolicyViolation(node, `malformed '${node.typename}' (${field})`);
  return value;
}

function isNode(value: unknown): value is TemplateNode {
  return typeof value === "object" && value !== null && typeof (value as { typename?: unknown }).typename === "string";
}
