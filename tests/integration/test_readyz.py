"""/readyz against a Redis of the test's own (cache and broker): 200 while it answers, a quick
503 naming the broker and the cache while it hangs or is stopped, 200 again when it is back,
with the launch session and the queued message still there."""

from __future__ import annotations

import os
import signal
import time
import uuid
from contextlib import ExitStack
from urllib.parse import urlencode

import psycopg
import pytest
import redis
import requests
from flask_migrate import upgrade

from lms_plugin.db import db
from lms_plugin.web.app import create_app
from tests.conftest import make_settings
from tests.integration.test_metrics import sample, scrape
from tests.support.edge_tool import edge_tool
from tests.support.endpoints import PG_ADMIN_URL
from tests.support.launch_flow import full_launch
from tests.support.processes import free_port, scratch_database
from tests.support.redis_servers import redis_server
from tests.support.servers import ServerThread
from tests.support.worker import wait_for
from worker import dispatch

pytestmark = pytest.mark.integration

TIMEOUT = 1.0
HTML = {"Accept": "text/html"}


def readyz(url: str) -> tuple[int, dict[str, object], float]:
    started = time.monotonic()
    answer = requests.get(url + "/readyz", timeout=30)
    return answer.status_code, answer.json(), time.monotonic() - started


def test_readyz_follows_redis_down_and_back_and_nothing_is_lost(tmp_path):
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    servers = ExitStack()
    servers.enter_context(redis_server(folder, port=port))
    try:
        with edge_tool(
            tmp_path,
            cache_url=f"redis://127.0.0.1:{port}/0",
            broker_url=f"redis://127.0.0.1:{port}/1",
            readyz_timeout_seconds=TIMEOUT,
        ) as tool:
            status, body, _ = readyz(tool.url)
            assert (status, body["status"], body["failing"]) == (200, "ready", [])
            assert body["checks"] == {
                "database": "ok",
                "schema": "ok",
                "broker": "ok",
                "cache": "ok",
            }
            with requests.Session() as browser:
                landing = full_launch(browser, tool.url, tool.lms)
                assert landing.status_code == 200 and "Lena Learner" in landing.text
                with tool.app.app_context():
                    dispatch.ping(tool.app.extensions["lms_settings"], uuid.uuid4().hex)
                assert scrape(tool.url)[sample("lms_queue_messages", queue="default")] == 1

                # Hanging (SIGSTOP): the probe gives up at its deadline instead of waiting.
                control = redis.Redis(port=port)
                pid = int(control.info()["process_id"])  # the redis-server this test started
                os.kill(pid, signal.SIGSTOP)
                try:
                    status, body, took = readyz(tool.url)
                finally:
                    os.kill(pid, signal.SIGCONT)
                assert (status, body["failing"]) == (503, ["broker", "cache"])
                assert body["checks"]["database"] == "ok"
                assert body["checks"]["cache"] == "timeout" and took < TIMEOUT + 1.5
                wait_for(lambda: readyz(tool.url)[0] == 200, 15)

                # Stopped: it saves what it holds on the way out (as a real one with
                # persistence does), and the tool reconnects when it is back.
                control.config_set("save", "3600 1")
                control.close()
                servers.close()
                status, body, took = readyz(tool.url)
                assert (status, body["status"], body["failing"]) == (
                    503,
                    "unavailable",
                    ["broker", "cache"],
                )
                assert body["checks"]["broker"].startswith("error: ")
                assert body["checks"]["database"] == "ok" and took < TIMEOUT + 1.5
                assert requests.get(tool.url + "/healthz").status_code == 200  # still alive
                # A page or an API call meanwhile: 503 "try again", not a 500 "went wrong".
                page = browser.get(landing.url)
                assert page.status_code == 503 and page.headers["Retry-After"] == "30"
                assert "could not reach its database or cache just now" in page.text
                assert "go back and send the form again" in page.text
                api = browser.get(tool.url + "/api/v1/me", headers={"Accept": "application/json"})
                assert (api.status_code, api.json()["error"]) == (503, "storage_unavailable")
                # A launch from the course meanwhile: started again, not sent again.
                login = requests.get(
                    tool.url + "/lti/login?" + urlencode(tool.lms.login_params()), headers=HTML
                )
                assert login.status_code == 503 and "Retry-After" in login.headers
                assert "open the activity again from your course" in login.text

                servers.enter_context(redis_server(folder, port=port))
                wait_for(lambda: readyz(tool.url)[0] == 200, 15)
                again = browser.get(landing.url)
                assert again.status_code == 200 and "Lena Learner" in again.text
            assert scrape(tool.url)[sample("lms_queue_messages", queue="default")] == 1
    finally:
        servers.close()


def test_readyz_is_503_while_the_database_lacks_this_code_s_migrations(tmp_path):
    """A web process started before `lms-plugin db upgrade` has run is kept out of the load
    balancer (503 naming the schema) instead of answering 500 on every page; ready once
    migrated, without a restart."""
    database = f"sqlite:///{tmp_path}/lms.sqlite3"
    app = create_app(
        make_settings(str(tmp_path), database_url=database, public_url="http://127.0.0.1")
    )
    server = ServerThread(app).start()
    try:
        status, body, _ = readyz(server.url)
        assert (status, body["failing"]) == (503, ["schema"])
        assert body["checks"]["schema"] == "error: SchemaBehindError"
        assert body["checks"]["database"] == "ok"
        with app.app_context():
            upgrade()
        status, body, _ = readyz(server.url)
        assert (status, body["status"]) == (200, "ready")
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()


def test_pages_are_503_try_again_while_the_database_is_gone(tmp_path):
    """PostgreSQL gone (here: the tool's database dropped under it): pages and the API answer 503
    with Retry-After and what to do, not a 500 "something went wrong"; /readyz names it."""
    with scratch_database(PG_ADMIN_URL, "lms_gone_") as url:
        app = create_app(make_settings(str(tmp_path), database_url=url, public_url="http://x"))
        with app.app_context():
            upgrade()
        server = ServerThread(app).start()
        try:
            assert requests.get(server.url + "/lti/jwks").status_code == 200
            name = url.rsplit("/", 1)[1]
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            page = requests.get(
                server.url + f"/credentials/{uuid.uuid4()}", headers={"Accept": "text/html"}
            )
            assert page.status_code == 503 and page.headers["Retry-After"] == "30"
            assert "could not reach its database or cache just now" in page.text
            keys = requests.get(server.url + "/lti/jwks", headers={"Accept": "application/json"})
            assert (keys.status_code, keys.json()["error"]) == (503, "storage_unavailable")
            status, body, _ = readyz(server.url)
            assert status == 503 and "database" in body["failing"]
        finally:
            server.stop()
            with app.app_context():
                db.engine.dispose()
