// While a long job waits for a worker or runs, poll its JSON status and reload the page when the
// job moves on (queued to running, running to its end): the page then shows it. While it runs,
// the progress line follows the count. Polls come every 1.5 s while the job moves, further apart
// (up to 15 s) while it does not (a queue with no worker free), so an open tab costs little.
// An answer that is not the job's status (the tool or the proxy before it busy: 503) is waited out.
(function () {
  "use strict";
  var el = document.getElementById("job");
  if (!el || (el.dataset.status !== "queued" && el.dataset.status !== "running")) { return; }
  var token = document.querySelector('meta[name="launch-token"]').content;
  var FIRST = 1500, MAX = 15000, delay = FIRST, done = null;
  function poll() {
    fetch(el.dataset.jobUrl, { headers: { "Accept": "application/json", "Authorization": "Bearer " + token } })
      .then(function (r) { if (!r.ok) { throw r; } return r.json(); })
      .then(function (job) {
        if (job.status !== el.dataset.status) { window.location.reload(); return; }
        delay = job.done === done ? Math.min(delay * 1.5, MAX) : FIRST;
        done = job.done;
        if (job.status === "running") {
          // the sentence: web/js_text.py, in the page's language (static/frame.js)
          el.firstChild.textContent = window.lmsText("running", { done: job.done, num: job.total }) + " ";
        }
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, FIRST);
})();
