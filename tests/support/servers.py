"""Serve a WSGI app over real HTTP on a loopback address (127.0.0.1 unless told) in a thread.

Werkzeug's server sends headers gunicorn refuses (production's server answers 500 for them), so
every response's headers are held to what HTTP allows (RFC 9110 §5.1, §5.5): a name is a token,
a value visible ASCII, spaces, tabs or obs-text (bytes 0x80-0xFF). One that is not is a 500 here
too, naming the header.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(r"[ \t\x21-\x7e\x80-\xff]*")


class InvalidHeader(Exception):
    """The app set a header HTTP does not allow (gunicorn would answer 500)."""


def checked(start_response: Any) -> Any:
    """``start_response`` that refuses headers HTTP does not allow."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        for name, value in headers:
            if not _TOKEN.fullmatch(name) or not _FIELD_VALUE.fullmatch(value):
                raise InvalidHeader(f"{name}: {value!r}")
        return start_response(status, headers, exc_info)

    return start


class LateBoundApp:
    """Lets the server bind its port before the app (whose URL depends on it) exists."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, checked(start_response))


class KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1 with persistent connections, as real LMSs and proxies serve (the default,
    HTTP/1.0, makes every client open a new connection per request)."""

    protocol_version = "HTTP/1.1"


class ServerThread:
    def __init__(self, app: Any = None, host: str = "127.0.0.1") -> None:
        self.wrapper = LateBoundApp()
        self.wrapper.app = app
        self._server = make_server(
            host, 0, self.wrapper, threaded=True, request_handler=KeepAliveHandler
        )
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
