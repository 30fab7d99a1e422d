"""HTTP servers that misbehave on purpose, for tests of calls to URLs that others chose: one
records every request it gets and answers whatever it is told; one trickles its answer."""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, request

from tests.support.servers import ServerThread


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class RecordingServer:
    """Records method, path and headers of every request; answers ``reply`` (a JSON-able
    object, or a Response factory for anything else)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply: Any = {}
        app = Flask("recording")

        @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
        @app.route("/<path:path>", methods=["GET", "POST"])
        def anything(path: str) -> Any:
            self.requests.append(
                {"method": request.method, "path": "/" + path, "headers": dict(request.headers)}
            )
            return self.reply() if callable(self.reply) else self.reply

        self._server = ServerThread(app, host)
        self.url = _url(host, self._server.port)
        self.port = self._server.port

    def start(self) -> RecordingServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()


def respond(status: int, body: bytes | Iterable[bytes], **headers: str) -> Callable[[], Response]:
    """A reply for :class:`RecordingServer`: this status, body (an iterable is streamed,
    chunked, with no Content-Length) and headers."""
    return lambda: Response(body, status=status, headers=headers)


class TrickleServer:
    """Answers every request with ``head`` then ``body``, the part named by ``slow`` one byte
    every ``interval`` seconds (the rest at once), as a server that stalls a client would."""

    def __init__(self, head: bytes, body: bytes, *, slow: str, interval: float) -> None:
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                received = b""
                while b"\r\n\r\n" not in received:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    received += chunk
                outer.connections += 1
                try:
                    for part, name in ((head, "head"), (body, "body")):
                        if name != slow:
                            self.request.sendall(part)
                            continue
                        for i in range(len(part)):
                            self.request.sendall(part[i : i + 1])
                            time.sleep(interval)  # the server's own slowness, not the test's
                except OSError:  # the client gave up: what the test wants
                    return

        self.connections = 0
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = _url("127.0.0.1", self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> TrickleServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
