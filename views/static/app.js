// Tern dashboard glue, kept small: live log tail over SSE, confirm on dangerous forms.
// Everything here is an enhancement: the pages work without it.
(function () {
  "use strict";

  function followLogs(box) {
    if (box.dataset.following) return;
    box.dataset.following = "1";
    var status = document.getElementById("log-status");
    var es = new EventSource(box.dataset.stream);
    var stick = function () { return box.scrollHeight - box.scrollTop - box.clientHeight < 40; };
    es.addEventListener("log", function (e) {
      var atBottom = stick();
      // The server renders (and escapes) each line; this only places it.
      box.insertAdjacentHTML("beforeend", e.data);
      if (atBottom) box.scrollTop = box.scrollHeight;
    });
    es.addEventListener("end", function (e) {
      es.close();
      box.dataset.ended = e.data;
      if (status) status.textContent = "Execution ended: " + e.data;
    });
    es.onerror = function () {
      if (status && es.readyState === EventSource.CONNECTING) status.textContent = "Reconnecting…";
    };
  }

  function init(root) {
    var boxes = (root || document).querySelectorAll("#logs[data-stream]");
    for (var i = 0; i < boxes.length; i++) followLogs(boxes[i]);
  }

  // Every htmx request carries the page's CSRF token (plain forms carry it as a field).
  document.addEventListener("htmx:config:request", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && e.detail && e.detail.ctx) e.detail.ctx.request.headers["X-CSRF-Token"] = meta.getAttribute("content");
  });

  document.addEventListener("submit", function (e) {
    var msg = e.target && e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:after:swap", function () { init(document); });
})();
