"""Serve a WSGI app over real HTTP on a loopback address (127.0.0.1 unless told) in a thread."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server


class LateBoundApp:
    """Lets the server bind its port before the app (whose URL depends on it) exists."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


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
