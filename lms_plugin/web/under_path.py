"""A tool served under a path of a shared host (``LMS_PUBLIC_URL=https://apps.example.edu/isp``).

The path goes into WSGI's ``SCRIPT_NAME``, so every URL Flask builds (``url_for``: links, forms,
redirects, static files) starts with it, and the scripts read it from the page (``base.html``'s
``script-root``). A proxy may pass the path on (``/isp/lti/launch``) or strip it (``/lti/launch``):
both are served. Cookies are scoped to the path (``web/cookies.cookie_path``), so other
applications on the host do not receive them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class UnderPath:
    """WSGI middleware: the request's path below ``prefix``, and ``prefix`` as its script root."""

    def __init__(self, app: WSGIApplication, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[Any]:
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["PATH_INFO"] = path[len(self.prefix) :] or "/"
        environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)
