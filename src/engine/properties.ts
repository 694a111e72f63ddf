/**
 * A stage's properties while it runs: a name → value store that steps read
 * (interpolation) and write (SetProperty...). It remembers which properties
 * the user forced, because `EveProperty` steps must not override those.
 */
import type { InterpolationSource } from "../buildfile/interpolate.js";
import type { PropertyValues, SecretSource } from "./types.js";

export class Properties {
  private readonly values = new Map<string, unknown>();
  private readonly forced: ReadonlySet<string>;

  constructor(initial: PropertyValues, forced: Iterable<string> = []) {
    for (const [name, value] of Object.entries(initial)) this.values.set(name, value);
    this.forced = new Set(forced);
  }

  get(name: string): unknown {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  set(name: string, value: unknown): void {
    this.values.set(name, value);
  }

  /** True when the user set this property for the build (force form, `--property`). */
  isForced(name: string): boolean {
    return this.forced.has(name);
  }

  forcedNames(): string[] {
    return [...this.forced];
  }

  /** A plain copy (children get one at trigger time; outcomes carry one). */
  snapshot(): PropertyValues {
    const out: PropertyValues = {};
    for (const [name, value] of this.values) {
      // defineProperty: a property named "__proto__" must stay a plain key.
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** What `%(prop:x)s` and `%(secret:x)s` read. */
  interpolationSource(secrets: SecretSource): InterpolationSource {
    return { property: (name) => this.values.get(name), secret: (name) => secrets.get(name) };
  }
}
