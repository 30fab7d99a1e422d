"""A warm launch costs the shared store two round trips: the state pop with every read the
launch needs (named from the state and the unverified token), then the session write. When
those reads cannot be named ahead, the launch still succeeds with one more round trip. On Redis
the per-address rate-limit counts ride in those round trips: a login makes one, a launch two."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from redis.connection import AbstractConnection

from lms_plugin.web import deps
from tests.support.edge_tool import EdgeTool, edge_tool
from tests.support.endpoints import REDIS_URL
from tests.support.launch_flow import full_launch, start_login
from tests.support.lti_platform import LmsPlatform
from tests.support.processes import forget_prefix

pytestmark = pytest.mark.integration


class _CountingStore:
    """The app's store, recording the name of every call that goes to the store."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


def _count_store_calls(tool, monkeypatch) -> _CountingStore:
    counting = _CountingStore(tool.app.extensions["lms_store"])
    monkeypatch.setitem(tool.app.extensions, "lms_store", counting)
    monkeypatch.setattr(tool.app.extensions["lms_tenants"], "_store", counting)
    return counting


def _warm(tool, platform: LmsPlatform, browser) -> None:
    """One launch first: the tenant snapshot and the launch-rows cache are then in the store."""
    assert full_launch(browser, tool.url, platform).status_code == 200


def test_warm_launch_pops_state_and_reads_in_one_round_trip(
    tool, platform: LmsPlatform, browser, monkeypatch
):
    _warm(tool, platform, browser)
    auth = start_login(browser, tool.url, platform)
    token = platform.id_token(platform.claims(nonce=auth["nonce"]))
    counting = _count_store_calls(tool, monkeypatch)

    response = browser.post(
        tool.url + "/lti/launch",
        data={"state": auth["state"], "id_token": token},
        allow_redirects=False,
    )

    assert response.status_code == 303
    assert counting.calls == ["batch", "set"]  # pop + reads + nonce claim; the session


def test_state_that_names_no_registration_still_launches(
    tool, platform: LmsPlatform, browser, monkeypatch
):
    """A state issued before states named their registration (or by another tool version)."""
    _warm(tool, platform, browser)
    auth = start_login(browser, tool.url, platform)
    old_state = "state-" + str(uuid.uuid4())
    with tool.app.app_context():
        record = deps.store().pop("lti-state:" + auth["state"])
        assert record is not None
        deps.store().set("lti-state:" + old_state, record, 60)
    browser.cookies.set("lti1p3-" + old_state, old_state)
    token = platform.id_token(platform.claims(nonce=auth["nonce"]))
    counting = _count_store_calls(tool, monkeypatch)

    response = browser.post(
        tool.url + "/lti/launch",
        data={"state": old_state, "id_token": token},
        allow_redirects=False,
    )

    assert response.status_code == 303
    assert counting.calls == ["batch", "batch", "set"]  # the reads come after the checks


def test_on_redis_login_and_launch_count_the_address_in_their_own_round_trips(
    tmp_path, monkeypatch
):
    prefix = f"trips:{uuid.uuid4().hex[:8]}:"
    sent: list[bytes] = []
    send = AbstractConnection.send_packed_command

    def recording(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
        packed = command if isinstance(command, bytes) else b"".join(command)
        if prefix.encode() in packed:  # the tool's own keys, not another test's
            sent.append(packed)
        send(self, command, check_health)

    settings = {"cache_url": REDIS_URL, "cache_prefix": prefix, "rate_limit_lti": "3/hour"}
    try:
        with edge_tool(tmp_path, **settings) as tool, requests.Session() as browser:
            _warm(tool, tool.lms, browser)  # one login and one launch of this address's three
            monkeypatch.setattr(AbstractConnection, "send_packed_command", recording)
            auth = start_login(browser, tool.url, tool.lms)
            login_trips = len(sent)
            token = tool.lms.id_token(tool.lms.claims(nonce=auth["nonce"]))
            launched = browser.post(
                tool.url + "/lti/launch",
                data={"state": auth["state"], "id_token": token},
                allow_redirects=False,
            )
            launch_trips = len(sent) - login_trips
            statuses = [_login_status(browser, tool) for _ in range(2)]
    finally:
        forget_prefix(REDIS_URL, prefix)

    assert launched.status_code == 303
    assert (login_trips, launch_trips) == (1, 2)  # the state; the pop and reads, the session
    assert all(b"ratelimit:" in trip for trip in sent[:2])  # counted in the first two
    assert statuses == [302, 429]  # and the counts are the limit's: three logins an hour


def _login_status(browser: requests.Session, tool: EdgeTool) -> int:
    params = tool.lms.login_params()
    return browser.get(tool.url + "/lti/login", params=params, allow_redirects=False).status_code
