// Live refresh: every element with data-live="URL" is replaced by a fresh rendering of URL
// (a partial of server-escaped HTML) every few seconds while the page is visible.
(function () {
  "use strict";
  var PERIOD_MS = 3000;
  function refresh() {
    if (document.hidden) { return; }
    document.querySelectorAll("[data-live]").forEach(function (el) {
      fetch(el.getAttribute("data-live"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { el.innerHTML = html; } })
        .catch(function () {});
    });
  }
  setInterval(refresh, PERIOD_MS);
})();
