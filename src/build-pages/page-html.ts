/** What every build page shares: escaping, result colours, the frame and its style. */
import type { RunState } from "./build-view.js";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Fill colours of results, each with white text at a contrast of 4.5:1 or
 * more (WCAG AA): the colour is never the only sign, the result is written too.
 */
export const RESULT_COLOURS: Readonly<Record<RunState, string>> = {
  success: "#1a7f37",
  warnings: "#9a6700",
  failure: "#cf222e",
  exception: "#8250df",
  cancelled: "#57606a",
  retry: "#9a6700",
  skipped: "#57606a",
  running: "#0969da",
  queued: "#57606a",
};

export const PAGE_SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1f2328; background: #fff; }
header, main { padding: 0.75rem 1rem; max-width: 72rem; margin: 0 auto; }
header { border-bottom: 1px solid #d0d7de; }
h1 { font-size: 1.3rem; margin: 0.2rem 0; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; }
a { color: #0550ae; }
a:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #bf3989; outline-offset: 2px; }
svg a:focus-visible { outline: none; }
svg a:focus-visible rect.node { stroke: #bf3989; stroke-width: 4; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.8rem; margin: 0.4rem 0; }
dl.facts dt { color: #59636e; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 0.45rem; border-radius: 0.6rem; color: #fff; font-weight: 600; }
.figure { overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; }
.figure svg { display: block; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
th { color: #59636e; font-weight: 600; }
.scroll { overflow-x: auto; }
.legend span { margin-right: 0.8rem; white-space: nowrap; }
.legend i { display: inline-block; width: 0.9rem; height: 0.9rem; vertical-align: -0.1rem; margin-right: 0.25rem; border-radius: 2px; }
.muted { color: #59636e; }
@media (max-width: 40rem) { header, main { padding: 0.5rem; } th, td { padding: 0.25rem; } }
`;

/** A whole page: `body` is already escaped HTML. */
export function renderFrame(title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${script ? `<script src="${escapeHtml(script)}" defer></script>` : ""}
</head>
<body>
${body}
</body>
</html>
`;
}

export function badge(state: RunState): string {
  return `<span class="badge" style="background:${RESULT_COLOURS[state]}">${state}</span>`;
}
