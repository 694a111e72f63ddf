/**
 * The settings table of docs/configuration.md, generated from SETTINGS:
 * `npm run docs:settings` writes it, and a test fails while it is stale.
 */
import type { Setting } from "./setting.js";

const HEADER = "| setting | default | meaning |\n|---|---|---|\n";

export function renderSettingsTable(settings: readonly Setting[]): string {
  return HEADER + settings.map((setting) => `| \`${setting.name}\` | ${setting.default === undefined ? "" : `\`${setting.default}\``} | ${setting.description} |\n`).join("");
}

/** `doc` with its settings table (from the header to the first line that is not a row) replaced by `table`. */
export function replaceSettingsTable(doc: string, table: string): string {
  const start = doc.indexOf(HEADER);
  if (start < 0) throw new Error("no settings table (| setting | default | meaning |) in the document");
  let end = start + HEADER.length;
  while (doc.startsWith("| `", end)) end = doc.indexOf("\n", end) + 1;
  return doc.slice(0, start) + table + doc.slice(end);
}
