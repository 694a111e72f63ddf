/**
 * The log page's navigation, as script text that runs inside the page
 * script's closure (log-page-assets.ts: it uses `render`, `appendText`,
 * `block`, `finish` and the renderer's state). The page never loads a whole
 * log: it shows a window of it, read by byte ranges of `/raw` (256 KiB at a
 * time) or, for the live end of a running stage, followed from `/events`
 * starting near the end. Start, a step, the first error or a search match
 * opens a window at that offset; "earlier" and "later" extend it.
 */

/** The toolbar's HTML (static: the script only wires it). */
export const LOG_PAGE_TOOLBAR = `<nav id="tools">
  <button id="go-start" type="button">Start</button>
  <select id="go-step" aria-label="Jump to a step"><option value="">Steps…</option></select>
  <button id="go-error" type="button">First error</button>
  <button id="go-end" type="button">End</button>
  <form id="search"><input id="search-q" type="search" placeholder="Search the log" aria-label="Search the log" maxlength="200"><button type="submit">Search</button></form>
  <span id="nav-note" class="note"></span>
</nav>
<ol id="results" hidden></ol>
<button id="earlier" type="button" hidden>Load earlier output</button>`;

export const LOG_PAGE_NAVIGATOR_STYLE = `
#tools{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-top:6px}
#tools button,#tools select,#tools input,#later,#earlier{font:13px system-ui,sans-serif;background:#21262d;color:#c9d1d9;border:1px solid #30363d;border-radius:4px;padding:2px 8px}
#search{display:flex;gap:4px}.note{color:#8b949e}
#results{margin:4px 16px;padding-left:20px;max-height:30vh;overflow:auto;font:12px/1.45 ui-monospace,monospace}
#results li{cursor:pointer}#results li:hover{background:#161b22}#results .where{color:#8b949e;margin-right:8px}
#earlier,#later{margin:6px 16px}
`;

export const LOG_PAGE_NAVIGATOR = String.raw`
  var base = location.pathname.replace(/\/$/, "");
  var CHUNK = 262144;
  var meta = null;
  var view = { start: 0, end: 0 };
  var live = null;
  var encoder = new TextEncoder();
  var earlierButton = document.getElementById("earlier");
  var laterButton = document.createElement("button");
  laterButton.id = "later";
  laterButton.type = "button";
  laterButton.textContent = "Load later output";
  laterButton.hidden = true;
  log.parentNode.insertBefore(laterButton, log.nextSibling);
  var note = document.getElementById("nav-note");
  var results = document.getElementById("results");

  function getMeta() {
    return fetch(base + "/meta").then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }).then(function (m) {
      meta = m;
      fillSteps();
      if (m.state === "finished" && m.end) {
        var text = endLine(m.end).slice(4, -4);
        statusEl.textContent = text;
        statusEl.className = "status " + String(m.end.result).replace(/[^a-z]/g, "");
      }
      return m;
    });
  }
  function fillSteps() {
    var select = document.getElementById("go-step");
    while (select.options.length > 1) select.remove(1);
    meta.steps.forEach(function (step) {
      var option = document.createElement("option");
      option.value = String(step.offset);
      option.textContent = "Step " + (step.index + 1) + ": " + step.name;
      select.appendChild(option);
    });
  }
  function stopLive() {
    if (live) { live.close(); live = null; }
  }
  function clearView() {
    stopLive();
    log.textContent = "";
    pre = null;
    sgr = {};
    pendingEscape = "";
  }
  function fetchRange(start, end) {
    return fetch(base + "/raw", { headers: { Range: "bytes=" + start + "-" + (end - 1) } }).then(function (r) {
      if (r.status !== 206 && r.status !== 200) throw new Error("status " + r.status);
      return r.arrayBuffer();
    }).then(function (buffer) { return new Uint8Array(buffer); });
  }
  function utf8Length(text) { return encoder.encode(text).length; }
  function stepHeader(step) { return "\n── step " + (step.index + 1) + ": " + step.name + " ──\n"; }
  function endLine(end) {
    var text = !end.summary ? end.result : end.summary.indexOf(end.result) === 0 ? end.summary : end.result + ": " + end.summary;
    return "\n── " + text + " ──\n";
  }
  // Where the log's own structure is, as byte spans: step headers become blocks, the end line the result.
  function marks() {
    var list = meta.steps.map(function (step) { return { start: step.offset, length: utf8Length(stepHeader(step)), step: step }; });
    if (meta.state === "finished" && meta.end) {
      var length = utf8Length(endLine(meta.end));
      list.push({ start: meta.bytes - length, length: length, end: meta.end });
    }
    return list;
  }
  // Renders bytes [offset, offset + bytes.length) of the log at the current place in the view.
  function renderBytes(bytes, offset) {
    var decoder = new TextDecoder("utf-8");
    var at = 0;
    // A range may start inside a character: skip its continuation bytes.
    while (at < bytes.length && at < 3 && offset > 0 && (bytes[at] & 0xc0) === 0x80) at++;
    marks().filter(function (m) { return m.start + m.length > offset && m.start < offset + bytes.length; })
      .sort(function (a, b) { return a.start - b.start; })
      .forEach(function (m) {
        var from = m.start - offset;
        if (from > at) put(decoder.decode(bytes.subarray(at, from), { stream: true }));
        if (m.step) render({ kind: "step", index: m.step.index, name: m.step.name });
        else if (m.end && m.start >= offset) finish(m.end);
        at = Math.max(at, from + m.length);
      });
    if (at < bytes.length) put(decoder.decode(bytes.subarray(at), { stream: true }));
    put(decoder.decode());
  }
  function put(text) {
    if (text !== "") appendText(text);
  }
  function updateButtons() {
    earlierButton.hidden = view.start <= 0;
    laterButton.hidden = live !== null || view.end >= meta.bytes;
    note.textContent = view.start > 0 || view.end < meta.bytes ? "showing bytes " + view.start + "–" + view.end + " of " + meta.bytes : "";
  }
  function showAt(offset) {
    return getMeta().then(function () {
      var start = Math.max(0, Math.min(offset, meta.bytes));
      var end = Math.min(meta.bytes, start + CHUNK);
      return (end > start ? fetchRange(start, end) : Promise.resolve(new Uint8Array(0))).then(function (bytes) {
        clearView();
        view = { start: start, end: start + bytes.length };
        renderBytes(bytes, start);
        updateButtons();
        window.scrollTo(0, 0);
      });
    }).catch(showError);
  }
  function showEnd() {
    return getMeta().then(function () {
      clearView();
      if (meta.state === "live") return followLive();
      var start = Math.max(0, meta.bytes - CHUNK);
      return fetchRange(start, meta.bytes).then(function (bytes) {
        view = { start: start, end: start + bytes.length };
        renderBytes(bytes, start);
        updateButtons();
        window.scrollTo(0, document.body.scrollHeight);
      });
    }).catch(showError);
  }
  function followLive() {
    var source = new EventSource(base + "/events?tail=" + CHUNK);
    live = source;
    var placed = false;
    view = { start: 0, end: meta.bytes };
    source.addEventListener("records", function (event) {
      var follow = atBottom();
      JSON.parse(event.data).forEach(function (record) {
        if (record.kind === "at") {
          if (!placed) { view.start = record.offset; placed = true; updateButtons(); }
        } else render(record);
      });
      if (follow) window.scrollTo(0, document.body.scrollHeight);
    });
    source.addEventListener("end", function (event) {
      source.close();
      live = null;
      finish(JSON.parse(event.data));
      getMeta().then(function () { view.end = meta.bytes; updateButtons(); }).catch(function () {});
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) statusEl.textContent = "disconnected: reload to retry";
    });
    updateButtons();
  }
  function loadEarlier() {
    var end = view.start;
    var start = Math.max(0, end - CHUNK);
    fetchRange(start, end).then(function (bytes) {
      var height = document.body.scrollHeight;
      var saved = { log: log, pre: pre, sgr: sgr, pendingEscape: pendingEscape };
      var earlier = document.createElement("div");
      log = earlier; pre = null; sgr = {}; pendingEscape = "";
      renderBytes(bytes, start);
      log = saved.log; pre = saved.pre; sgr = saved.sgr; pendingEscape = saved.pendingEscape;
      log.insertBefore(earlier, log.firstChild);
      view.start = start;
      updateButtons();
      window.scrollBy(0, document.body.scrollHeight - height);
    }).catch(showError);
  }
  function loadLater() {
    getMeta().then(function () {
      var start = view.end;
      var end = Math.min(meta.bytes, start + CHUNK);
      if (end <= start) return updateButtons();
      return fetchRange(start, end).then(function (bytes) {
        renderBytes(bytes, start);
        view.end = start + bytes.length;
        updateButtons();
      });
    }).catch(showError);
  }
  function stepAt(offset) {
    var found = null;
    meta.steps.forEach(function (step) { if (step.offset <= offset) found = step; });
    return found;
  }
  function search(query, errors) {
    var url = base + "/search?" + (errors ? "errors=1&limit=1" : "q=" + encodeURIComponent(query));
    note.textContent = "searching…";
    return getMeta().then(function () { return fetch(url); }).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.text();
    }).then(function (text) {
      var found = text.split("\n").filter(Boolean).map(function (line) { return JSON.parse(line); }).filter(function (item) { return !item.done; });
      return found;
    });
  }
  function showResults(found) {
    results.textContent = "";
    results.hidden = false;
    note.textContent = found.length === 0 ? "no match" : found.length + " match" + (found.length === 1 ? "" : "es");
    found.forEach(function (match) {
      var item = document.createElement("li");
      var where = document.createElement("span");
      var step = stepAt(match.offset);
      where.className = "where";
      where.textContent = step ? "Step " + (step.index + 1) + ": " + step.name : "byte " + match.offset;
      item.appendChild(where);
      item.appendChild(document.createTextNode(match.line));
      item.addEventListener("click", function () { showAt(match.offset); });
      results.appendChild(item);
    });
  }
  function showError(error) {
    if (meta === null || (error && /status 410/.test(String(error.message)))) {
      fetch(base + "/raw").then(function (r) { return r.text(); }).then(function (text) { block("info", text); });
      return;
    }
    note.textContent = "could not load: " + (error && error.message ? error.message : String(error));
  }

  document.getElementById("go-start").addEventListener("click", function () { showAt(0); });
  document.getElementById("go-end").addEventListener("click", function () { showEnd(); });
  document.getElementById("go-step").addEventListener("change", function (event) {
    if (event.target.value !== "") showAt(Number(event.target.value));
  });
  document.getElementById("go-error").addEventListener("click", function () {
    search("", true).then(function (found) {
      if (found.length === 0) { note.textContent = "no error line found"; return; }
      return showAt(found[0].offset).then(function () { note.textContent = "first error: " + found[0].line; });
    }).catch(showError);
  });
  document.getElementById("search").addEventListener("submit", function (event) {
    event.preventDefault();
    var query = document.getElementById("search-q").value;
    if (query === "") return;
    search(query, false).then(showResults).catch(showError);
  });
  earlierButton.addEventListener("click", loadEarlier);
  laterButton.addEventListener("click", loadLater);
  showEnd();
`;
