"""A Celery worker's own /metrics: a small WSGI server in a thread of the worker's main
process, on LMS_WORKER_METRICS_BIND (``host:port``), with the web's access rule
(LMS_METRICS_TOKEN; without it, loopback only in production)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from lms_plugin import metrics
from lms_plugin.settings import Settings

log = logging.getLogger(__name__)
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # no access log on stderr
        pass


class _Threaded(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def metrics_app(settings: Settings) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI app: GET /metrics only."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        refused = metrics.refusal(
            settings.metrics_token,
            environ.get("HTTP_AUTHORIZATION"),
            environ.get("REMOTE_ADDR"),
            production=settings.is_production,
        )
        if refused == 401:
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="metrics"')],
            )
            return [b"a bearer token is required\n"]
        if refused is not None:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"set LMS_METRICS_TOKEN to read metrics from another host\n"]
        body, content_type = metrics.exposition()
        start_response("200 OK", [("Content-Type", content_type)])
        return [body]

    return app


def serve(settings: Settings) -> WSGIServer:
    """Start serving in a daemon thread; returns the server (its port, for tests)."""
    host, _, port = settings.worker_metrics_bind.rpartition(":")
    server = make_server(
        host.strip("[]") or "127.0.0.1",
        int(port),
        metrics_app(settings),
        server_class=_Threaded,
        handler_class=_Quiet,
    )
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("worker metrics on http://%s/metrics", settings.worker_metrics_bind)
    return server
