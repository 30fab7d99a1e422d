// LTI platform storage (1EdTech LTI Client Side postMessages). At login: put the state in the
// LMS's storage frame, then go on to the LMS whatever it answers (the state cookie may still
// work). At launch, when the state cookie was blocked: read the state back and, only if it is
// the one this browser put there, post it to the tool, which then records the launch and opens
// the activity (nothing is recorded before).
(function () {
  "use strict";
  var box = document.getElementById("lti-storage");
  if (!box) return;
  var cfg = box.dataset;
  var host = window.parent !== window ? window.parent : window.opener;
  // The login goes on to the LMS soon even without an answer (the state cookie may do), so a
  // storage frame that never answers costs every launch little; the launch check waits longer.
  var wait = cfg.mode === "put" ? 1500 : 5000;

  function storageFrame() {
    if (!host) return null;
    if (cfg.target === "_parent") return host;
    try {
      return host.frames[cfg.target] || null;
    } catch (e) {
      return null;
    }
  }

  function messageId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // Send one message under each name the LMS may know it by: the final specification's
  // ("lti.put_data") and the earlier draft's ("org.imsglobal.lti.put_data"), which some LMSs
  // still answer to. Call back with the first answer that is not an error, or with null once
  // every name was refused, or at the timeout.
  function ask(verb, fields, callback) {
    var frame = storageFrame();
    if (!frame) { callback(null); return; }
    var pending = {}, left = 0, done = false, timer;
    ["lti.", "org.imsglobal.lti."].forEach(function (prefix) {
      var message = { subject: prefix + verb, message_id: messageId() };
      Object.keys(fields).forEach(function (name) { message[name] = fields[name]; });
      pending[message.message_id] = message.subject + ".response";
      left += 1;
      frame.postMessage(message, cfg.origin);
    });
    function finish(answer) {
      if (done) return;
      done = true;
      window.removeEventListener("message", listen);
      clearTimeout(timer);
      callback(answer);
    }
    function listen(event) {
      var data = event.data;
      if (event.origin !== cfg.origin || !data || typeof data !== "object") return;
      if (pending[data.message_id] !== data.subject) return;
      delete pending[data.message_id];
      left -= 1;
      if (!data.error) finish(data);
      else if (left === 0) finish(null);
    }
    window.addEventListener("message", listen);
    timer = setTimeout(function () { finish(null); }, wait);
  }

  function goOn() { window.location.replace(cfg.next); }

  function confirmLaunch(state) {
    var form = document.getElementById("lti-storage-continue");
    form.elements.state.value = state;
    form.submit();
  }

  if (cfg.mode === "put") {
    ask("put_data", { key: cfg.key, value: cfg.value }, goOn);
  } else {
    ask("get_data", { key: cfg.key }, function (answer) {
      if (answer && answer.value === cfg.value) { confirmLaunch(answer.value); return; }
      box.hidden = true;
      document.getElementById("lti-storage-refused").hidden = false;
    });
  }
})();
