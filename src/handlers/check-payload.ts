/**
 * A signed webhook can still have an unexpected shape (a GitHub change, a
 * hand-made redelivery, a leaked secret): each handler checks the few fields
 * it reads before reading them, and ignores the delivery with one warning
 * line that names the field, instead of failing with a TypeError (HTTP 500
 * and two stack traces in the error log).
 */

/** What a field must hold; `?` also allows it (or an object above it) to be absent or null. */
export type FieldKind = "string" | "number" | "boolean" | "object" | "string?" | "number?" | "boolean?" | "object?";

/** Dotted paths into the payload (`pull_request.head.sha`) and what each must hold. */
export type PayloadFields = Readonly<Record<string, FieldKind>>;

/** The first field of `fields` that `payload` lacks, as `pull_request.head.sha (string)`; undefined when it has them all. */
export function findBadField(payload: unknown, fields: PayloadFields): string | undefined {
  for (const [path, kind] of Object.entries(fields)) {
    const optional = kind.endsWith("?");
    const type = optional ? kind.slice(0, -1) : kind;
    let value: unknown = payload;
    for (const key of path.split(".")) value = isObject(value) ? value[key] : undefined;
    if (value === undefined || value === null ? !optional : type === "object" ? !isObject(value) : typeof value !== type) return `${path} (${kind})`;
  }
  return undefined;
}

/** Whether the delivery lacks one of `fields`; when it does, says so in one warning line. */
export function lacksFields(context: { id: string; name: string; payload: unknown; log: { warn(message: string): void } }, fields: PayloadFields): boolean {
  const bad = findBadField(context.payload, fields);
  if (bad !== undefined) context.log.warn(`Ignored ${context.name} delivery ${context.id}: its payload has no valid ${bad}`);
  return bad !== undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
