// Live refresh, every few seconds while the page is visible: every element with
// data-live="URL" is replaced by a fresh rendering of URL (a partial of server-escaped
// HTML). A list with data-merge="N" (newest first) asks only for what changed, the rows
// newer than its newest and the ones it shows as running, merges them in by data-id and
// keeps its first N rows.
(function () {
  "use strict";
  var PERIOD_MS = 3000;

  function changedUrl(el) {
    var shown = el.querySelectorAll("tr[data-id]");
    var newest = 0, running = [];
    shown.forEach(function (tr) {
      newest = Math.max(newest, Number(tr.getAttribute("data-id")));
      if (tr.classList.contains("status-running")) { running.push(tr.getAttribute("data-id")); }
    });
    var url = el.getAttribute("data-live");
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "newest=" + newest +
      "&running=" + running.join(",");
  }

  function merge(el, html) {
    var box = document.createElement("tbody");
    box.innerHTML = html;
    var came = Array.prototype.slice.call(box.querySelectorAll("tr[data-id]"));
    if (!came.length) { return; }
    el.querySelectorAll("tr:not([data-id])").forEach(function (tr) { tr.remove(); });
    came.reverse().forEach(function (tr) {
      var old = el.querySelector('tr[data-id="' + tr.getAttribute("data-id") + '"]');
      if (old) { old.replaceWith(tr); } else { el.insertBefore(tr, el.firstChild); }
    });
    var rows = el.querySelectorAll("tr[data-id]");
    for (var i = Number(el.getAttribute("data-merge")); i < rows.length; i++) { rows[i].remove(); }
  }

  function refresh() {
    if (document.hidden) { return; }
    document.querySelectorAll("[data-live]").forEach(function (el) {
      var merging = el.hasAttribute("data-merge");
      fetch(merging ? changedUrl(el) : el.getAttribute("data-live"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          if (merging) { merge(el, html); } else { el.innerHTML = html; }
        })
        .catch(function () {});
    });
  }
  setInterval(refresh, PERIOD_MS);
})();
