// While a badge is being issued, poll the learner's badge states and reload the page once one
// changes (the page itself works without this script: it shows the state when it was loaded).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="badge-state-url"]');
  var shown = document.querySelectorAll("[data-level][data-status]");
  if (!meta || !document.querySelector("[data-working]")) { return; }
  var token = document.querySelector('meta[name="launch-token"]').content;
  var delay = 2000;
  function changed(levels) {
    return levels.some(function (level) {
      var el = document.querySelector('[data-level="' + level.level + '"]');
      return el && el.dataset.status !== level.status;
    });
  }
  function poll() {
    fetch(meta.content, { headers: { "Accept": "application/json", "Authorization": "Bearer " + token } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (changed(body.levels)) { window.location.reload(); return; }
        delay = Math.min(delay * 1.5, 30000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  if (shown.length) { setTimeout(poll, delay); }
})();
