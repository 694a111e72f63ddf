/**
 * What a pod template can see and call: plain data (null-prototype, frozen
 * copies of `images` and `vars`), a bounded `range`, and the few Python
 * methods Jinja2 templates call on dicts and strings (`vars.env.items()`),
 * which nunjucks lacks. Nothing here reaches a function of the host.
 */

/** Longest list `range()` may produce (a loop bomb must fail, not spin). */
export const MAX_RANGE = 10_000;

/** The Python methods templates may call, by receiver kind. */
const DICT_METHODS = new Set(["items", "keys", "values", "get"]);
const STRING_METHODS = new Set(["lower", "upper", "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "replace"]);
export const PYTHON_METHODS: ReadonlySet<string> = new Set([...DICT_METHODS, ...STRING_METHODS]);

/** A deep, frozen, null-prototype copy: no prototype chain leads to Object or Function. */
export function toTemplateData(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new Error("template data is nested too deeply");
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (value === undefined) return null;
  if (Array.isArray(value)) return Object.freeze(value.map((item) => toTemplateData(item, depth + 1)));
  if (typeof value === "object" && !(value instanceof Date)) {
    const copy = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value)) copy[key] = toTemplateData(item, depth + 1);
    return Object.freeze(copy);
  }
  return String(value);
}

/** `range(stop)`, `range(start, stop[, step])`, as Python, at most MAX_RANGE numbers. */
export function safeRange(...args: unknown[]): number[] {
  const numbers = args.map(Number);
  if (numbers.length === 0 || numbers.length > 3 || numbers.some((n) => !Number.isInteger(n))) throw new Error("range() takes 1 to 3 integers");
  const [start, stop, step = 1] = numbers.length === 1 ? [0, numbers[0] ?? 0] : numbers;
  if (step === 0) throw new Error("range() step must not be zero");
  const count = Math.max(0, Math.ceil(((stop ?? 0) - (start ?? 0)) / step));
  if (count > MAX_RANGE) throw new Error(`range() of ${count} numbers is above the limit of ${MAX_RANGE}`);
  return Array.from({ length: count }, (_, i) => (start ?? 0) + i * step);
}

/** Calls Python method `name` on `target` (the policy rewrites `x.items()` into this). */
export function callPythonMethod(target: unknown, name: unknown, ...args: unknown[]): unknown {
  const method = String(name);
  if (typeof target === "string" && STRING_METHODS.has(method)) return stringMethod(target, method, args);
  if (target !== null && typeof target === "object" && !Array.isArray(target) && DICT_METHODS.has(method)) {
    const dict = target as Record<string, unknown>;
    if (method === "items") return Object.keys(dict).map((key) => Object.freeze([key, dict[key]]));
    if (method === "keys") return Object.keys(dict);
    if (method === "values") return Object.keys(dict).map((key) => dict[key]);
    const key = String(args[0]);
    return Object.hasOwn(dict, key) ? dict[key] : (args[1] ?? null);
  }
  throw new Error(`.${method}() cannot be called on ${describe(target)}`);
}

function stringMethod(text: string, method: string, args: unknown[]): unknown {
  const arg = (i: number): string | undefined => (args[i] === undefined || args[i] === null ? undefined : String(args[i]));
  switch (method) {
    case "lower":
      return text.toLowerCase();
    case "upper":
      return text.toUpperCase();
    case "strip":
      return stripChars(stripChars(text, arg(0), "start"), arg(0), "end");
    case "lstrip":
      return stripChars(text, arg(0), "start");
    case "rstrip":
      return stripChars(text, arg(0), "end");
    case "startswith":
      return text.startsWith(arg(0) ?? "");
    case "endswith":
      return text.endsWith(arg(0) ?? "");
    case "split": {
      const separator = arg(0);
      return separator === undefined ? text.split(/\s+/).filter((part) => part !== "") : text.split(separator);
    }
    default:
      return text.split(arg(0) ?? "").join(arg(1) ?? "");
  }
}

function stripChars(text: string, chars: string | undefined, side: "start" | "end"): string {
  const strip = (c: string): boolean => (chars === undefined ? /\s/.test(c) : chars.includes(c));
  let start = 0;
  let end = text.length;
  if (side === "start") while (start < end && strip(text[start] ?? "")) start += 1;
  else while (end > start && strip(text[end - 1] ?? "")) end -= 1;
  return text.slice(start, end);
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return "an undefined value";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a dict" : `a ${typeof value}`;
}
