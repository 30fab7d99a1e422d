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
  var lastSaved = text.value;

  function words() { var t = text.value.trim(); return t ? t.split(/\s+/).length : 0; }
  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "Authorization": "Bearer " + token },
      body: JSON.stringify(body)
    });
  }
  function count() {
    var n = words();
    counter.textContent = n + " words of " + limit + (n > limit ? " — over the limit" : "");
  }
  function save() {
    if (text.value === lastSaved) { return; }
    var sent = text.value;
    status.textContent = "Saving…";
    api("PUT", "/api/v1/modules/" + encodeURIComponent(slug) + "/assignment/draft", { text: sent })
      .then(function (r) { return r.json().then(function (b) { return [r, b]; }); })
      .then(function (rb) {
        if (rb[0].ok) { lastSaved = sent; status.textContent = "Draft saved " + rb[1].saved_at.slice(11, 16) + " UTC"; }
        else { status.textContent = "Not saved: " + rb[1].message; }
      })
      .catch(function () { status.textContent = "Not saved (connection problem); your text is still here."; });
  }
  text.addEventListener("input", function () {
    count();
    clearTimeout(timer);
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
