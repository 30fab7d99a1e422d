// LTI platform storage (1EdTech LTI Client Side postMessages). At login: put the state in the
// LMS's storage frame, then go on to the LMS whatever it answers (the state cookie may still
// work). At launch, when the state cookie was blocked: read the state back and open the tool
// only if it is the one this browser put there.
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

  // Send one message; call back with the answer, or with null on an error, no answer or timeout.
  function ask(message, callback) {
    var frame = storageFrame();
    if (!frame) { callback(null); return; }
    message.message_id = messageId();
    var timer;
    function listen(event) {
      var data = event.data;
      if (event.origin !== cfg.origin || !data || typeof data !== "object") return;
      if (data.message_id !== message.message_id || data.subject !== message.subject + ".response") return;
      window.removeEventListener("message", listen);
      clearTimeout(timer);
      callback(data.error ? null : data);
    }
    window.addEventListener("message", listen);
    timer = setTimeout(function () { window.removeEventListener("message", listen); callback(null); }, wait);
    frame.postMessage(message, cfg.origin);
  }

  function goOn() { window.location.replace(cfg.next); }

  if (cfg.mode === "put") {
    ask({ subject: "lti.put_data", key: cfg.key, value: cfg.value }, goOn);
  } else {
    ask({ subject: "lti.get_data", key: cfg.key }, function (answer) {
      if (answer && answer.value === cfg.value) { goOn(); return; }
      box.hidden = true;
      document.getElementById("lti-storage-refused").hidden = false;
    });
  }
})();
