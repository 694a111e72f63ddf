/**
 * The artifacts part of a check run's summary: the links of the stage's
 * Upload steps and the build's artifacts total, in Markdown that build-file
 * names cannot break.
 */
import { formatSize } from "../engine/format-size.js";
import type { StepOutcome } from "../engine/types.js";

/** Links shown in a summary; the rest are on the listing page. */
const MAX_LINKS = 100;

export function formatArtifactLinks(steps: readonly StepOutcome[]): string {
  const links = steps.flatMap((step) => step.links ?? []);
  const total = steps.findLast((step) => step.artifacts !== undefined)?.artifacts;
  if (links.length === 0 && total === undefined) return "";
  const lines: string[] = [];
  if (total !== undefined) {
    const browse = total.url === undefined ? "" : ` · [all files](<${total.url}>)`;
    lines.push(`**Artifacts**: ${total.files} file${total.files === 1 ? "" : "s"}, ${formatSize(total.bytes)} in this build${browse}`);
  } else lines.push("**Artifacts**");
  lines.push("");
  for (const link of links.slice(0, MAX_LINKS)) lines.push(`- [${escapeLinkText(link.name)}](<${link.url.replace(/[<>\s]/g, encodeURIComponent)}>)`);
  if (links.length > MAX_LINKS) lines.push(`- … ${links.length - MAX_LINKS} more on the listing page`);
  return lines.join("\n").trimEnd();
}

function escapeLinkText(text: string): string {
  return text.replace(/\s+/g, " ").slice(0, 300).replace(/[\\[\]`*_<>]/g, (char) => `\\${char}`);
}
