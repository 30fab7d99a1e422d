// Fit the tool's frame to its content when the tool asks (LTI postMessage lti.frameResize),
// only from the tool's own origin.
(function () {
  var frame = document.getElementById("tool");
  var origin = frame.dataset.toolOrigin;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    if (typeof data === "string") {
      try { data = JSON.parse(data); } catch (e) { return; }
    }
    if (!data || data.subject !== "lti.frameResize") return;
    var height = Number(data.height);
    if (height > 0 && height < 100000) frame.style.height = Math.ceil(height) + "px";
  });
})();
