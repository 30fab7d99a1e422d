"""The suite's HTTP server holds the tool's response headers to what gunicorn, production's
server, sends: a header HTTP does not allow is a 500 in the tests too, not only in production."""

from __future__ import annotations

import pytest
import requests
from flask import Flask, Response

from tests.support.servers import ServerThread


def _app() -> Flask:
    app = Flask(__name__)

    @app.get("/<kind>")
    def download(kind: str) -> Response:
        name = {"ascii": "cohort.csv", "latin": "café.csv", "dash": "a—b.csv"}[kind]
        response = Response("x")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    return app


@pytest.mark.parametrize(("kind", "status"), [("ascii", 200), ("latin", 200), ("dash", 500)])
def test_a_header_beyond_latin_1_is_a_500_as_under_gunicorn(kind: str, status: int) -> None:
    server = ServerThread(_app()).start()
    try:
        assert requests.get(f"{server.url}/{kind}", timeout=10).status_code == status
    finally:
        server.stop()
