// Pages waiting for the worker (a quiz being graded) update by themselves: an element with
// data-poll-url polls its state (JSON) until it is settled, then takes the fresh fragment the
// server rendered, and a live region says what changed. Without this script the page shows the
// state it was loaded in; a reload shows the rest.
(function () {
  "use strict";
  var FIRST = 1000, MAX = 15000, GIVE_UP = 40;  // ~10 minutes of polling at most

  function announce(root) {
    var note = document.querySelector("[data-live-note]");
    var summary = root.querySelector("[data-announce]") || root.querySelector("h2, p");
    if (note && summary) { note.textContent = summary.textContent.replace(/\s+/g, " ").trim(); }
  }
  function swap(el, html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();  // rendered and sanitised on the server; scripts never run
    var fresh = template.content.firstElementChild;
    if (!fresh) { return; }
    el.replaceWith(fresh);
    announce(fresh);
    watch(fresh);
  }
  function poll(el, url) {
    var delay = FIRST, tries = 0;
    function again() {
      tries += 1;
      if (tries > GIVE_UP) { return; }  // still waiting after minutes: a reload will tell
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw r; } return r.json(); })
        .then(function (body) {
          if (body.pending) { delay = Math.min(delay * 1.5, MAX); setTimeout(again, delay); }
          else { swap(el, body.html); }
        })
        .catch(function () { setTimeout(again, MAX); });
    }
    setTimeout(again, delay);
  }
  function watch(root) {
    var waiting = root.matches("[data-poll-url]") ? [root] : root.querySelectorAll("[data-poll-url]");
    Array.prototype.forEach.call(waiting, function (el) { poll(el, el.getAttribute("data-poll-url")); });
  }
  watch(document.body);
})();

// Assignment editor: live word count, draft autosave, Markdown preview. The page works without
// this script (the form posts save / preview / submit); with it, nothing typed waits for a click.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  if (!form) { return; }
  var text = form.querySelector("textarea");
  var counter = document.getElementById("wordcount");
  var status = document.getElementById("autosave");
  var preview = document.getElementById("preview");
  var limit = parseInt(form.dataset.wordLimit, 10);
  var slug = form.dataset.module;
  var token = document.querySelector('meta[name="launch-token"]').content;
  var timer = null;
  var retry = null;
  var lastSaved = text.value;
  var OFFLINE_SECONDS = 10;  // a connection that dropped: try again soon
  var BUSY_SECONDS = 30;  // the server's own Retry-After, when it sends none

  function savedAt(iso) {  // in the reader's time zone and language (static/frame.js)
    try { return window.lmsLocalTime(iso, "time"); } catch (e) { return iso.slice(11, 16) + " UTC"; }
  }
  function words() { var t = text.value.trim(); return t ? t.split(/\s+/).length : 0; }
  var root = document.querySelector('meta[name="script-root"]').content;  // web/under_path.py
  function api(method, path, body) {  // path: under the tool's own
    return fetch(root + path, {
      method: method,
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "Authorization": "Bearer " + token },
      body: JSON.stringify(body)
    });
  }
  function count() {  // the sentences: web/js_text.py, in the page's language (static/frame.js)
    var n = words();
    counter.textContent = window.lmsText(n > limit ? "over" : "words", { num: n, limit: limit });
  }
  // A draft the server could not store (its database or cache down: 503; too many requests:
  // 429) or that never reached it is saved again by itself, even if the learner stopped typing.
  function say(text, unsaved) {
    status.textContent = text;
    status.classList.toggle("unsaved", unsaved);
  }
  function later(key, seconds) {
    say(window.lmsText(key, { num: seconds }), true);
    retry = setTimeout(save, seconds * 1000);
  }
  function save() {
    clearTimeout(retry);
    if (text.value === lastSaved) { return; }
    var sent = text.value;
    say(window.lmsText("saving"), false);
    api("PUT", "/api/v1/modules/" + encodeURIComponent(slug) + "/assignment/draft", { text: sent })
      .then(function (r) {
        return r.json().then(function (b) { return [r, b]; }, function () { return [r, {}]; });
      })
      .then(function (rb) {
        var r = rb[0];
        if (r.ok) {
          lastSaved = sent;
          say(window.lmsText("saved", { when: savedAt(rb[1].saved_at) }), false);
        } else if (r.status >= 500 || r.status === 429) {
          later("busy", parseInt(r.headers.get("Retry-After"), 10) || BUSY_SECONDS);
        } else if (rb[1].message) {
          say(window.lmsText("refused", { why: rb[1].message }), true);
        } else {  // an answer that is not the tool's (a proxy's page): its status
          say(window.lmsText("refused_unsaid", { status: r.status }), true);
        }
      })
      .catch(function () { later("offline", OFFLINE_SECONDS); });
  }
  text.addEventListener("input", function () {
    count();
    clearTimeout(timer);
    clearTimeout(retry);
    timer = setTimeout(save, 1500);
  });
  form.addEventListener("submit", function (event) {
    var action = event.submitter && event.submitter.value;
    if (action !== "preview") { return; }
    event.preventDefault();
    api("POST", "/api/v1/preview", { text: text.value })
      .then(function (r) { return r.json(); })
      .then(function (b) {
        preview.querySelector(".preview-body").innerHTML = b.html;  // sanitised on the server
        preview.hidden = false;
        preview.querySelector("h2").focus();
      });
  });
  preview.querySelector("h2").setAttribute("tabindex", "-1");
  count();
})();
