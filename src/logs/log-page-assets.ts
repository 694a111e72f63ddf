/**
 * The log page's HTML and script, as strings so that `tsc` carries them into
 * dist/. No framework. The log is untrusted: the script only ever sets
 * `textContent` and class names (never innerHTML), and the page's CSP allows
 * no inline script.
 */
import { LOG_PAGE_NAVIGATOR, LOG_PAGE_NAVIGATOR_STYLE, LOG_PAGE_TOOLBAR } from "./log-page-navigator.js";

/** The page for one run; `run` is already validated (see log-page.ts) and escaped again here. */
export function renderLogPage(run: string, urls: { script: string; raw: string }): string {
  const safeRun = escapeHtml(run);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Eve log — ${safeRun}</title>
<style>${STYLE}${LOG_PAGE_NAVIGATOR_STYLE}</style>
</head>
<body>
<header>
  <h1>Eve log <code>${safeRun}</code></h1>
  <p><span id="status" class="status running">running…</span> · <a id="raw" href="${escapeHtml(urls.raw)}" download>raw log</a></p>
  ${LOG_PAGE_TOOLBAR}
</header>
<main id="log" aria-live="polite"></main>
<script src="${escapeHtml(urls.script)}"></script>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const STYLE = `
body{margin:0;font:14px/1.4 system-ui,sans-serif;background:#0d1117;color:#c9d1d9}
header{padding:8px 16px;border-bottom:1px solid #30363d}
h1{font-size:16px;margin:0 0 4px}
a{color:#58a6ff}
.status{font-weight:bold}.status.success{color:#3fb950}.status.warnings{color:#d29922}
.status.failure,.status.exception{color:#f85149}.status.cancelled,.status.skipped,.status.retry{color:#8b949e}
main{padding:8px 16px}
pre{margin:0;font:12px/1.45 ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}
.step{margin:12px 0 4px;padding:4px 8px;background:#161b22;border-left:3px solid #58a6ff;font-weight:bold}
.info{color:#8b949e}.truncated{color:#d29922;font-style:italic}
.link{margin:2px 0}.link a{color:#58a6ff}
.end{margin-top:12px;padding:6px 8px;border:1px solid #30363d;font-weight:bold}
.b{font-weight:bold}.d{opacity:.7}.i{font-style:italic}.u{text-decoration:underline}
.f0{color:#484f58}.f1{color:#ff7b72}.f2{color:#3fb950}.f3{color:#d29922}.f4{color:#58a6ff}.f5{color:#bc8cff}.f6{color:#39c5cf}.f7{color:#b1bac4}
.f8{color:#6e7681}.f9{color:#ffa198}.f10{color:#56d364}.f11{color:#e3b341}.f12{color:#79c0ff}.f13{color:#d2a8ff}.f14{color:#56d4dd}.f15{color:#f0f6fc}
.g0{background:#484f58}.g1{background:#ff7b72}.g2{background:#3fb950}.g3{background:#d29922}.g4{background:#58a6ff}.g5{background:#bc8cff}.g6{background:#39c5cf}.g7{background:#b1bac4}
.g8{background:#6e7681}.g9{background:#ffa198}.g10{background:#56d364}.g11{background:#e3b341}.g12{background:#79c0ff}.g13{background:#d2a8ff}.g14{background:#56d4dd}.g15{background:#f0f6fc}
`;

/**
 * The browser side: follows /events, renders records. SGR codes become
 * spans with classes (16 colours) or an rgb() style built from parsed
 * numbers (256 colours, true colour); other escape sequences are dropped.
 */
export const LOG_PAGE_SCRIPT = String.raw`"use strict";
(function () {
  var log = document.getElementById("log");
  var statusEl = document.getElementById("status");
  var pre = null;
  var sgr = {};
  var pendingEscape = "";
  var ESC = "\u001b";

  function atBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
  }
  function block(cls, text) {
    var el = document.createElement("div");
    el.className = cls;
    el.textContent = text;
    log.appendChild(el);
    pre = null;
    return el;
  }
  // Links to artifacts: only http(s) URLs become anchors; they open without access to this page.
  function link(name, url) {
    var el = block("link", "");
    if (!/^https?:\/\//i.test(url)) { el.textContent = name + ": " + url; return; }
    var a = document.createElement("a");
    a.href = url;
    a.rel = "noopener noreferrer";
    a.textContent = name;
    el.appendChild(document.createTextNode("📦 "));
    el.appendChild(a);
  }
  function currentPre() {
    if (!pre) {
      pre = document.createElement("pre");
      log.appendChild(pre);
    }
    return pre;
  }
  function palette256(n) {
    if (n < 16) return null;
    if (n >= 232) { var g = 8 + (n - 232) * 10; return "rgb(" + g + "," + g + "," + g + ")"; }
    n -= 16;
    var steps = [0, 95, 135, 175, 215, 255];
    return "rgb(" + steps[Math.floor(n / 36)] + "," + steps[Math.floor(n / 6) % 6] + "," + steps[n % 6] + ")";
  }
  function applySgr(params) {
    var codes = params === "" ? [0] : params.split(";").map(function (p) { return parseInt(p, 10) || 0; });
    for (var i = 0; i < codes.length; i++) {
      var c = codes[i];
      if (c === 0) sgr = {};
      else if (c === 1) sgr.b = true;
      else if (c === 2) sgr.d = true;
      else if (c === 3) sgr.i = true;
      else if (c === 4) sgr.u = true;
      else if (c === 22) { sgr.b = false; sgr.d = false; }
      else if (c === 23) sgr.i = false;
      else if (c === 24) sgr.u = false;
      else if (c >= 30 && c <= 37) { sgr.f = c - 30; sgr.fc = null; }
      else if (c >= 90 && c <= 97) { sgr.f = c - 90 + 8; sgr.fc = null; }
      else if (c === 39) { sgr.f = null; sgr.fc = null; }
      else if (c >= 40 && c <= 47) { sgr.g = c - 40; sgr.gc = null; }
      else if (c >= 100 && c <= 107) { sgr.g = c - 100 + 8; sgr.gc = null; }
      else if (c === 49) { sgr.g = null; sgr.gc = null; }
      else if (c === 38 || c === 48) {
        var color = null;
        if (codes[i + 1] === 5) { var n = codes[i + 2] || 0; color = n < 16 ? n : palette256(n); i += 2; }
        else if (codes[i + 1] === 2) { color = "rgb(" + (codes[i + 2] & 255) + "," + (codes[i + 3] & 255) + "," + (codes[i + 4] & 255) + ")"; i += 4; }
        if (c === 38) { if (typeof color === "number") { sgr.f = color; sgr.fc = null; } else { sgr.f = null; sgr.fc = color; } }
        else { if (typeof color === "number") { sgr.g = color; sgr.gc = null; } else { sgr.g = null; sgr.gc = color; } }
      }
    }
  }
  function appendStyled(target, text) {
    if (text === "") return;
    var cls = [];
    if (sgr.b) cls.push("b");
    if (sgr.d) cls.push("d");
    if (sgr.i) cls.push("i");
    if (sgr.u) cls.push("u");
    if (sgr.f != null) cls.push("f" + sgr.f);
    if (sgr.g != null) cls.push("g" + sgr.g);
    if (cls.length === 0 && !sgr.fc && !sgr.gc) { target.appendChild(document.createTextNode(text)); return; }
    var span = document.createElement("span");
    span.className = cls.join(" ");
    if (sgr.fc) span.style.color = sgr.fc;
    if (sgr.gc) span.style.backgroundColor = sgr.gc;
    span.textContent = text;
    target.appendChild(span);
  }
  // CSI (incl. SGR), OSC, and two-character escapes.
  var ESCAPES = new RegExp(ESC + "\\[([0-?]*)([ -/]*)([@-~])|" + ESC + "\\][^\u0007" + ESC + "]*(?:\u0007|" + ESC + "\\\\)|" + ESC + "[@-Z\\\\-_]", "g");
  function appendText(text) {
    text = pendingEscape + text;
    pendingEscape = "";
    // An escape sequence cut at the end of a chunk waits for the next chunk.
    var lastEsc = text.lastIndexOf(ESC);
    if (lastEsc >= 0 && text.length - lastEsc < 64) {
      var tail = text.slice(lastEsc);
      ESCAPES.lastIndex = 0;
      var m = ESCAPES.exec(tail);
      if (!m || m.index !== 0) { pendingEscape = tail; text = text.slice(0, lastEsc); }
    }
    text = text.replace(/\r\n/g, "\n");
    var target = currentPre();
    var fragment = document.createDocumentFragment();
    var last = 0;
    ESCAPES.lastIndex = 0;
    var match;
    while ((match = ESCAPES.exec(text)) !== null) {
      appendStyled(fragment, text.slice(last, match.index).replace(/\r/g, ""));
      if (match[3] === "m" && match[2] === "") applySgr(match[1]);
      last = ESCAPES.lastIndex;
    }
    appendStyled(fragment, text.slice(last).replace(/\r/g, ""));
    target.appendChild(fragment);
  }
  function render(record) {
    if (record.kind === "text") appendText(record.text);
    else if (record.kind === "step") { sgr = {}; block("step", "Step " + (record.index + 1) + ": " + record.name); }
    else if (record.kind === "info") block("info", record.line);
    else if (record.kind === "link") link(record.name, record.url);
    else if (record.kind === "truncated") block("truncated", "… " + record.note + " …");
  }
  function finish(end) {
    // Stage summaries often start with their result already ("failure: step 'x' exited 3").
    var text = !end.summary ? end.result : end.summary.indexOf(end.result) === 0 ? end.summary : end.result + ": " + end.summary;
    statusEl.textContent = text;
    statusEl.className = "status " + String(end.result).replace(/[^a-z]/g, "");
    block("end status " + String(end.result).replace(/[^a-z]/g, ""), "Finished — " + text);
    document.body.setAttribute("data-finished", end.result);
  }

${LOG_PAGE_NAVIGATOR}
})();
`;
