/**
 * A folder of a container as Eve's artifacts service listed it: an HTML page
 * with sizes whose links are relative (`./name`, `./folder/`), so
 * `wget -r --no-parent` crawls it; `?format=text` one level as plain text
 * (folders end in `/`), `?format=txt` every file below, one path a line.
 */
import type { FolderListing } from "../artifacts/artifact-store.js";
import { formatSize } from "../engine/format-size.js";

export const LISTING_SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export interface ListingPage {
  container: string;
  /** The folder listed, "" for the top. */
  folder: string;
  listing: FolderListing;
  /** Where the folder's zip is (`<base>/zip/<container>/<folder>`). */
  zipUrl: string;
}

export function renderListingHtml(page: ListingPage): string {
  const title = `${page.container}/${page.folder === "" ? "" : `${page.folder}/`}`;
  const rows = [
    ...(page.folder === "" ? [] : [`<tr><td><a href="../">../</a></td><td></td><td></td></tr>`]),
    ...page.listing.folders.map((name) => `<tr><td><a href="./${encodeURIComponent(name)}/">${escapeHtml(name)}/</a></td><td class="n">-</td><td></td></tr>`),
    ...page.listing.files.map((file) => {
      const name = file.path.split("/").at(-1) ?? file.path;
      return `<tr><td><a href="./${encodeURIComponent(name)}">${escapeHtml(name)}</a></td><td class="n" title="${file.size} bytes">${formatSize(file.size)}</td><td>${file.mtime.toISOString().replace("T", " ").slice(0, 19)}</td></tr>`;
    }),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#1f2328}h1{font-size:16px;word-break:break-all}table{border-collapse:collapse;min-width:50%}td,th{padding:3px 12px 3px 0;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}tr:hover td{background:#f6f8fa}a{color:#0969da}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${page.listing.folders.length} folder${page.listing.folders.length === 1 ? "" : "s"}, ${page.listing.files.length} file${page.listing.files.length === 1 ? "" : "s"} · <a href="${escapeHtml(page.zipUrl)}">download this folder as a zip</a></p>
<table><thead><tr><th>Name</th><th class="n">Size</th><th>Modified (UTC)</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table>
</body></html>
`;
}

/** `?format=text`: one level, folders with a trailing `/`. */
export function renderListingText(listing: FolderListing): string {
  return [...listing.folders.map((name) => `${name}/`), ...listing.files.map((file) => file.path.split("/").at(-1) ?? file.path)].map((line) => `${line}\n`).join("");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
