"""A tool of a test's own, on the settings it needs (limits, stores), served over HTTP on
127.0.0.1 with a test LMS registered: for the anonymous-edge tests (rate limits, floods)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from lms_plugin.db import db
from lms_plugin.services.keys import ensure_keys
from lms_plugin.services.platforms import PlatformSpec, add_platform
from lms_plugin.web import deps
from lms_plugin.web.app import create_app
from tests.conftest import make_settings
from tests.support.lti_platform import LmsPlatform
from tests.support.servers import ServerThread


@dataclass
class EdgeTool:
    url: str
    app: Flask
    lms: LmsPlatform

    def scalar(self, sql: str) -> object:
        with self.app.app_context():
            return db.session.execute(text(sql)).scalar_one()


@contextmanager
def edge_tool(tmp: Path, **overrides: object) -> Iterator[EdgeTool]:
    """The tool on SQLite in ``tmp`` (and whatever ``overrides`` say), one LMS registered."""
    server = ServerThread()
    settings = make_settings(
        str(tmp), database_url=f"sqlite:///{tmp}/edge.db", public_url=server.url, **overrides
    )
    app = create_app(settings)
    lms = LmsPlatform(tool_url=server.url).start()
    with app.app_context():
        upgrade()
        ensure_keys(db.session())
        add_platform(db.session(), deps.tenants(), PlatformSpec(**lms.registration_args()))
    server.wrapper.app = app
    server.start()
    try:
        yield EdgeTool(server.url, app, lms)
    finally:
        server.stop()
        lms.stop()
        with app.app_context():
            db.engine.dispose()
        app.extensions["lms_http"].close()
