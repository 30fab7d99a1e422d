"""Shared fixtures: a real PostgreSQL database, Redis, the test platform and the tool over HTTP.

PostgreSQL and Redis must be listening (scripts/test starts them where they are not); a
missing service is an error, never a skip.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lms_plugin.settings import Settings
from lms_plugin.web import deps
from lms_plugin.web.app import create_app
from tests.support.endpoints import BROKER_URL, PG_ADMIN_URL, REDIS_URL
from tests.support.lti_platform import LmsPlatform
from tests.support.processes import forget_prefix, scratch_database
from tests.support.servers import ServerThread

COURSES = Path(__file__).resolve().parents[1] / "courses"

TABLES = [
    "award",
    "status_list",
    "issuer_key",
    "job_run",
    "score_outbox",
    "grade",
    "review",
    "quiz_attempt",
    "assignment_submission",
    "assignment_draft",
    "lesson_view",
    "resource_link",
    "membership",
    "lti_context",
    "lti_user",
    "deployment",
    "registration",
    "tool_key",
    "kv_entry",
]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    try:
        psycopg.connect(PG_ADMIN_URL, autocommit=True).close()
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}. Run scripts/test.")
    with scratch_database(PG_ADMIN_URL, "lms_test_") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}. Run scripts/test.")
    return REDIS_URL


def make_settings(tmp: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "instance_dir": tmp,
        "secret_key": "test-secret-" + uuid.uuid4().hex,
        "broker_url": "filesystem://",  # as load_settings fills it in (never a default AMQP host)
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def sync_courses() -> None:
    """Load the real courses/ tree into the app's database (inside an app context)."""
    from lms_plugin.db import db
    from lms_plugin.domain.content.loader import load_catalogue
    from lms_plugin.services.content import sync_content

    catalogue, problems = load_catalogue(COURSES)
    assert catalogue is not None and not problems, problems
    sync_content(db.session(), catalogue)


@pytest.fixture(scope="session")
def broker_url(redis_url: str) -> str:
    """A Redis database of the suite's own for Celery, emptied before each test that uses it."""
    flush_broker(BROKER_URL)
    return BROKER_URL


def flush_broker(url: str) -> None:
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def platform() -> Iterator[LmsPlatform]:
    lms = LmsPlatform().start()
    yield lms
    lms.stop()


@pytest.fixture(scope="session")
def tool_server(
    broker_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    pg_url: str,
    redis_url: str,
    platform: LmsPlatform,
) -> Iterator[tuple[ServerThread, Flask]]:
    """The tool on PostgreSQL + Redis, served over real HTTP, migrated by Alembic."""
    server = ServerThread()
    settings = make_settings(
        str(tmp_path_factory.mktemp("instance")),
        database_url=pg_url,
        cache_url=redis_url,
        cache_prefix=f"lmstest:{uuid.uuid4().hex[:8]}:",
        broker_url=broker_url,
        public_url=server.url,
    )
    app = create_app(settings)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        sync_courses()
    server.wrapper.app = app
    platform.tool_url = server.url
    server.start()
    yield server, app
    server.stop()
    with app.app_context():
        from lms_plugin.db import db

        db.engine.dispose()
    app.extensions["lms_http"].close()


@pytest.fixture
def tool(tool_server: tuple[ServerThread, Flask], platform: LmsPlatform) -> Iterator[ToolHandle]:
    """The running tool, with empty tables, our keys and the test platform registered."""
    server, app = tool_server
    from lms_plugin.db import db
    from lms_plugin.services.platforms import PlatformSpec, add_platform

    # A wiped database starts with a wiped cache, as after a real restore.
    forget_prefix(
        app.extensions["lms_settings"].cache_url, app.extensions["lms_settings"].cache_prefix
    )
    with app.app_context():
        db.session.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        db.session.commit()
        _our_keys(db.session())
        add_platform(db.session(), deps.tenants(), PlatformSpec(**platform.registration_args()))
    platform.jwks_status = 200
    platform.reset_ags()  # no fault, token or score an earlier test left queued
    flush_broker(app.extensions["lms_settings"].broker_url)  # no task of an earlier test
    yield ToolHandle(server.url, app)


_KEYS: list[dict[str, object]] = []


def _our_keys(session: Session) -> None:
    """An active and a next key: made once per test session (an RSA key takes tens of
    milliseconds to generate), then put back after each wipe, as a restore would."""
    from lms_plugin.db.models import ToolKey
    from lms_plugin.services.keys import ensure_keys

    if not _KEYS:
        ensure_keys(session)
        _KEYS.extend(
            {
                "kid": key.kid,
                "private_key_pem": key.private_key_pem,
                "state": key.state,
                "activated_at": key.activated_at,
            }
            for key in session.scalars(select(ToolKey).order_by(ToolKey.id))
        )
        return
    session.add_all(ToolKey(**row) for row in _KEYS)
    session.commit()


class ToolHandle:
    def __init__(self, url: str, app: Flask) -> None:
        self.url = url
        self.app = app

    def count(self, table: str) -> int:
        from lms_plugin.db import db

        with self.app.app_context():
            return int(db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        from lms_plugin.db import db

        with self.app.app_context():
            rows = [tuple(r) for r in db.session.execute(text(sql))]
            db.session.commit()  # tests also use it for UPDATE ... RETURNING
            return rows


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    """A cookie-keeping HTTP client: one learner's browser."""
    with requests.Session() as client:
        client.headers["Accept"] = "application/json, text/html;q=0.9"
        yield client
