"""The test LMS's pages for a real browser: a course page framing the tool beside an LTI platform
storage frame (LTI Client Side postMessages), and the "register a tool by URL" dialog."""

from __future__ import annotations

import html


def course_page(login_url: str) -> str:
    """A course page as Canvas builds it: a hidden storage frame named ``post_message_forwarding``
    beside the tool's iframe, which opens at the tool's login once the storage frame is ready."""
    return (
        "<!doctype html><title>Course</title>"
        '<iframe name="post_message_forwarding" src="/storage-frame" hidden></iframe>'
        f'<iframe id="tool" title="Tool" width="1000" height="700" '
        f'data-src="{html.escape(login_url)}"></iframe>'
        "<script>document.querySelector('iframe[name=post_message_forwarding]')"
        ".addEventListener('load', function () {"
        "var tool = document.getElementById('tool'); tool.src = tool.dataset.src; });"
        "</script>"
    )


def storage_frame(*, answers: bool, silent: bool, prefix: str = "lti.") -> str:
    """The storage frame (``lti.put_data`` / ``lti.get_data``): values kept per sender origin,
    answered to the sender at its own origin; other subjects are answered with an
    ``unsupported_subject`` error. ``answers=False``: it has lost what was put; ``silent=True``:
    it never answers; ``prefix="org.imsglobal.lti."``: it speaks the specification's draft."""
    settings = {"ANSWERS": str(answers).lower(), "SILENT": str(silent).lower(), "PREFIX": prefix}
    page = _STORAGE_FRAME
    for name, value in settings.items():
        page = page.replace(name, value)
    return page


def registration_dialog(tool_url: str) -> str:
    """The admin's dialog framing the tool's registration page; it records the messages the tool
    posts (``window.received``), as an LMS listens for ``org.imsglobal.lti.close``."""
    return (
        "<!doctype html><title>Register a tool</title>"
        f'<iframe id="tool" title="Tool registration" width="900" height="600" '
        f'src="{html.escape(tool_url)}"></iframe>'
        "<script>window.received = [];"
        "window.addEventListener('message', function (e) {"
        "window.received.push({origin: e.origin, data: e.data}); });</script>"
    )


_STORAGE_FRAME = """<!doctype html><title>storage</title><script>
var stored = {};
window.addEventListener("message", function (event) {
  var data = event.data;
  if (SILENT || !data || typeof data !== "object") return;
  var mine = stored[event.origin] = stored[event.origin] || {};
  var reply = {subject: data.subject + ".response", message_id: data.message_id, key: data.key};
  if (data.subject === "PREFIXput_data") {
    mine[data.key] = data.value;
    reply.value = data.value;
  } else if (data.subject === "PREFIXget_data") {
    if (ANSWERS && data.key in mine) reply.value = mine[data.key];
    else reply.error = {code: "bad_request", message: "There is no value stored for this key"};
  } else {
    reply.error = {code: "unsupported_subject", message: "Unsupported subject " + data.subject};
  }
  event.source.postMessage(reply, event.origin);
});
</script>"""
