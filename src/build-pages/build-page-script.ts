/**
 * The build page's script, served from the same origin (the page's CSP allows
 * no inline script): it follows the build's event stream and swaps in the
 * live part and the status line the server renders; the stream ends with the build.
 */
export const BUILD_PAGE_SCRIPT = `"use strict";
(function () {
  var live = document.getElementById("build-live");
  var status = document.getElementById("build-status");
  if (!live || live.getAttribute("data-ended") === "true") return;
  var source = new EventSource(location.pathname.replace(/\\/$/, "") + "/events");
  function apply(event) {
    var update = JSON.parse(event.data);
    live.innerHTML = update.live;
    live.setAttribute("data-ended", String(update.ended));
    if (status.innerHTML !== update.status) status.innerHTML = update.status;
  }
  source.addEventListener("update", apply);
  source.addEventListener("end", function (event) {
    apply(event);
    source.close();
  });
})();
`;
