/**
 * Where each constructed yaml value came from. Values are plain JS data, so
 * positions live beside them: a WeakMap from each constructed object/array to
 * the positions of its children. A value shared through an alias or a merge
 * keeps the positions of its real source text.
 */

/** A 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Where one child (array item or mapping entry) of a collection was written. */
export interface ChildPosition {
  value: SourcePosition;
  /** The key's position, for mapping entries. */
  key?: SourcePosition;
  /** The value was a yaml float (Python `float`), e.g. `version: 1.0`. */
  float?: boolean;
  /** The key was not a yaml string (an int, bool, null... stringified). */
  nonStringKey?: boolean;
}

export class YamlPositions {
  readonly #children = new WeakMap<object, Map<string, ChildPosition>>();
  readonly #root: SourcePosition;

  constructor(root: SourcePosition) {
    this.#root = root;
  }

  /** Records where a child of `parent` was written. */
  set(parent: object, key: string, position: ChildPosition): void {
    let children = this.#children.get(parent);
    if (!children) {
      children = new Map();
      this.#children.set(parent, children);
    }
    children.set(key, position);
  }

  /** The recorded child positions of a collection, if any. */
  childrenOf(parent: object): ReadonlyMap<string, ChildPosition> | undefined {
    return this.#children.get(parent);
  }

  /** The recorded entry of `key` in `parent`. */
  child(parent: unknown, key: string): ChildPosition | undefined {
    return typeof parent === "object" && parent !== null ? this.#children.get(parent)?.get(key) : undefined;
  }

  /**
   * The position of the value at a JSON pointer (or of its key, for a mapping
   * entry). When the path goes further than the data (a missing property), the
   * deepest existing node is returned: that is where the fix belongs.
   */
  locate(root: unknown, pointer: string, which: "value" | "key" = "value"): SourcePosition {
    let position = this.#root;
    let node = root;
    for (const segment of parsePointer(pointer)) {
      const entry = this.child(node, segment);
      if (!entry) break;
      position = which === "key" && entry.key ? entry.key : entry.value;
      node = (node as Record<string, unknown>)[segment];
    }
    return position;
  }
}

/** Splits a JSON pointer ("/stages/pre-merge/steps/0") into its unescaped segments. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Builds a JSON pointer from segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${String(segment).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}
