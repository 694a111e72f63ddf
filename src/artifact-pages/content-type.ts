/**
 * The Content-Type of an artifact, from its extension: what browsers need to
 * show reports, logs and images in place; anything unknown is a download.
 */
const TYPES: Readonly<Record<string, string>> = {
  txt: "text/plain; charset=utf-8",
  log: "text/plain; charset=utf-8",
  md: "text/plain; charset=utf-8",
  out: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  xml: "application/xml; charset=utf-8",
  yaml: "text/plain; charset=utf-8",
  yml: "text/plain; charset=utf-8",
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  pdf: "application/pdf",
  gz: "application/gzip",
  tgz: "application/gzip",
  zip: "application/zip",
  tar: "application/x-tar",
  xz: "application/x-xz",
  iso: "application/x-iso9660-image",
  rpm: "application/x-rpm",
  deb: "application/vnd.debian.binary-package",
};

export function getContentType(path: string): string {
  const name = path.split("/").at(-1) ?? "";
  // Eve's own status files have no extension and are text.
  if (name === ".final_status") return "text/plain; charset=utf-8";
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  return TYPES[extension] ?? "application/octet-stream";
}
