/**
 * The `yaml` package's AST → plain JS values with PyYAML's construction rules:
 * shared objects for aliases, `<<` merges flattened as `flatten_mapping` does,
 * duplicate keys keeping the last value, keys stored as own properties
 * (`__proto__` included). Positions go to a YamlPositions beside the values.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Alias, type Node, type ParsedNode, type Scalar } from "yaml";
import { constructScalar, resolvePlainTag, pythonFloatString } from "./python-scalars.js";
import type { YamlPositions, ChildPosition, SourcePosition } from "./yaml-positions.js";

/** Stops construction at the first problem; PyYAML also stops there. */
export class ConstructionError extends Error {
  override readonly name = "ConstructionError";
  /** A 0-based offset in the text, or an already located position. */
  readonly where: number | SourcePosition;
  constructor(message: string, where: number | SourcePosition) {
    super(message);
    this.where = where;
  }
}

interface Built {
  value: unknown;
  /** Nodes in this value once aliases are expanded (what a tree walk would visit). */
  size: number;
  float?: boolean;
}

type Entry = [key: string, value: Built, position: ChildPosition];

const TAG = "tag:yaml.org,2002:";

export class YamlConstructor {
  /** Keys written twice in one mapping (not through `<<`): PyYAML silently keeps the later value. */
  readonly duplicateKeys: (SourcePosition & { message: string })[] = [];
  readonly #anchors = new Map<string, Built | "building">();
  readonly #sizes = new WeakMap<object, number>();
  readonly #positions: YamlPositions;
  readonly #locate: (offset: number) => SourcePosition;
  readonly #maxDepth: number;
  readonly #maxNodes: number;

  constructor(positions: YamlPositions, locate: (offset: number) => SourcePosition, maxDepth: number, maxNodes: number) {
    this.#positions = positions;
    this.#locate = locate;
    this.#maxDepth = maxDepth;
    this.#maxNodes = maxNodes;
  }

  construct(node: ParsedNode | null, depth = 0): Built {
    if (node === null) return { value: null, size: 1 };
    if (depth > this.#maxDepth) throw new ConstructionError(`yaml nesting is too deep (more than ${this.#maxDepth} levels)`, start(node));
    if (isAlias(node)) return this.#alias(node);
    const anchor = node.anchor;
    if (anchor !== undefined) {
      if (this.#anchors.has(anchor)) throw new ConstructionError(`found duplicate anchor '${anchor}'`, start(node));
      this.#anchors.set(anchor, "building");
    }
    const built = isScalar(node) ? this.#scalar(node) : isMap(node) ? this.#mapping(node, depth) : this.#sequence(node, depth);
    if (anchor !== undefined) this.#anchors.set(anchor, built);
    return built;
  }

  #alias(node: Alias): Built {
    const target = this.#anchors.get(node.source);
    if (target === undefined) throw new ConstructionError(`found undefined alias '${node.source}'`, start(node));
    if (target === "building") throw new ConstructionError(`recursive alias '${node.source}' is not supported`, start(node));
    return target;
  }

  #scalar(node: Scalar): Built {
    const text = typeof node.source === "string" ? node.source : String(node.value ?? "");
    const plain = node.type === "PLAIN";
    const tag = node.tag === undefined || node.tag === "!" ? (plain && node.tag === undefined ? resolvePlainTag(text) : `${TAG}str`) : node.tag;
    const result = constructScalar(tag, text);
    if ("error" in result) throw new ConstructionError(result.error, start(node));
    return result.float ? { value: result.value, size: 1, float: true } : { value: result.value, size: 1 };
  }

  #sequence(node: ParsedNode, depth: number): Built {
    if (!isSeq(node)) throw new ConstructionError("unsupported yaml node", start(node));
    const tag = node.tag ?? `${TAG}seq`;
    if (tag === `${TAG}omap` || tag === `${TAG}pairs`) return this.#pairs(node.items as ParsedNode[], depth);
    if (tag !== `${TAG}seq` && tag !== "!") throw new ConstructionError(`could not determine a constructor for the tag '${tag}'`, start(node));
    const array: unknown[] = [];
    let size = 1;
    node.items.forEach((item, index) => {
      const child = this.construct(item as ParsedNode, depth + 1);
      size = this.#grow(size, child, item as ParsedNode);
      array.push(child.value);
      this.#positions.set(array, String(index), childPosition(this.#locate(start(item as ParsedNode)), child));
    });
    this.#sizes.set(array, size);
    return { value: array, size };
  }

  /** `!!omap` / `!!pairs`: PyYAML gives a list of (key, value) tuples. */
  #pairs(items: ParsedNode[], depth: number): Built {
    const array: unknown[] = [];
    let size = 1;
    for (const item of items) {
      const pair = this.construct(item, depth + 1);
      const entries = Object.entries(pair.value as object);
      const [entry] = entries;
      if (!isMap(item) || entries.length !== 1 || !entry) throw new ConstructionError("expected a single mapping item in an !!omap or !!pairs", start(item));
      size = this.#grow(size, pair, item);
      const tuple = [entry[0], entry[1]];
      array.push(tuple);
      this.#positions.set(array, String(array.length - 1), { value: this.#locate(start(item)) });
    }
    return { value: array, size };
  }

  #mapping(node: ParsedNode, depth: number): Built {
    if (!isMap(node)) throw new ConstructionError("unsupported yaml node", start(node));
    const tag = node.tag ?? `${TAG}map`;
    if (tag !== `${TAG}map` && tag !== `${TAG}set` && tag !== "!") {
      throw new ConstructionError(`could not determine a constructor for the tag '${tag}'`, start(node));
    }
    const merged: Entry[] = [];
    const explicit: Entry[] = [];
    const written = new Map<string, SourcePosition>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as ParsedNode | null;
      const valueNode = pair.value as ParsedNode | null;
      if (keyNode && isScalar(keyNode) && keyNode.type === "PLAIN" && keyNode.tag === undefined && keyNode.source === "<<") {
        merged.push(...this.#mergeEntries(valueNode, depth, keyNode));
        continue;
      }
      const key = this.#key(keyNode, depth);
      const value = this.construct(valueNode, depth + 1);
      const keyPosition = this.#locate(keyNode ? start(keyNode) : 0);
      const valuePosition = valueNode ? this.#locate(start(valueNode)) : keyPosition;
      const position = childPosition(valuePosition, value);
      position.key = keyPosition;
      if (key.nonString) position.nonStringKey = true;
      const first = written.get(key.text);
      if (first) this.duplicateKeys.push({ ...keyPosition, message: `duplicate key '${key.text}' (first at line ${first.line}): Eve keeps this later value and ignores the first` });
      else written.set(key.text, keyPosition);
      explicit.push([key.text, value, position]);
    }
    const object: Record<string, unknown> = {};
    let size = 1;
    for (const [key, value, position] of [...merged, ...explicit]) {
      if (key === "__proto__") Object.defineProperty(object, key, { value: value.value, writable: true, enumerable: true, configurable: true });
      else object[key] = value.value;
      this.#positions.set(object, key, position);
    }
    const children = this.#positions.childrenOf(object);
    for (const key of Object.keys(object)) size = this.#grow(size, { value: object[key], size: this.#sizeOf(object[key]) }, node, children?.get(key));
    this.#sizes.set(object, size);
    return { value: object, size };
  }

  /** The pairs a `<<` brings in, in the order flatten_mapping puts them. */
  #mergeEntries(valueNode: ParsedNode | null, depth: number, keyNode: ParsedNode): Entry[] {
    const at = this.#locate(start(valueNode ?? keyNode));
    const merged = this.construct(valueNode, depth + 1).value;
    const items = this.#positions.childrenOf(merged as object);
    const sources = Array.isArray(merged)
      ? merged.map((value: unknown, index) => ({ value, at: items?.get(String(index))?.value ?? at }))
      : [{ value: merged, at }];
    const lists = sources.map(({ value, at: sourceAt }): Entry[] => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        const what = Array.isArray(merged) ? "a mapping" : "a mapping or list of mappings";
        throw new ConstructionError(`expected ${what} for merging`, sourceAt);
      }
      const children = this.#positions.childrenOf(value);
      return Object.keys(value).map((key): Entry => {
        const child = (value as Record<string, unknown>)[key];
        return [key, { value: child, size: this.#sizeOf(child) }, children?.get(key) ?? { value: sourceAt }];
      });
    });
    // A list merges its later mappings first, so earlier ones win.
    return lists.reverse().flat();
  }

  #key(node: ParsedNode | null, depth: number): { text: string; nonString: boolean } {
    // flatten_mapping turns a `=` key (the yaml "value" tag) into a string; elsewhere it has no constructor.
    if (node && isScalar(node) && node.type === "PLAIN" && node.tag === undefined && node.source === "=") return { text: "=", nonString: false };
    const built = this.construct(node, depth + 1);
    const value = built.value;
    if (typeof value === "object" && value !== null) throw new ConstructionError("found unhashable key", node ? start(node) : 0);
    if (typeof value === "string") return { text: value, nonString: false };
    return { text: pythonString(value, built.float === true), nonString: true };
  }

  #sizeOf(value: unknown): number {
    return typeof value === "object" && value !== null ? (this.#sizes.get(value) ?? 1) : 1;
  }

  /** Adds a child's expanded size, failing at the node that makes the document too big. */
  #grow(size: number, child: Built, node: ParsedNode, position?: ChildPosition): number {
    const total = size + child.size;
    if (total > this.#maxNodes) {
      const at = position ? position.value : this.#locate(start(node));
      throw new ConstructionError(`document is too large once aliases are expanded (more than ${this.#maxNodes} nodes)`, at);
    }
    return total;
  }
}

function start(node: Node): number {
  return node.range?.[0] ?? 0;
}

function childPosition(value: SourcePosition, built: Built): ChildPosition {
  return built.float ? { value, float: true } : { value };
}

/** Python's `str()` of a scalar that is not a string (keys only). */
function pythonString(value: unknown, float: boolean): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number" && float) return pythonFloatString(value);
  return String(value);
}
