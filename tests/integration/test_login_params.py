"""An anonymous login is checked before anything is looked up or stored (issue 12, finding 1):
each parameter at most ``LMS_LOGIN_PARAM_MAX_BYTES`` in UTF-8, and a login for a platform that
is not registered stores nothing either, however many arrive."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
import requests

from tests.support.edge_tool import edge_tool
from tests.support.endpoints import REDIS_URL
from tests.support.processes import forget_prefix

pytestmark = pytest.mark.integration

CAP = 4096  # Settings.login_param_max_bytes (the default)


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"login:{uuid.uuid4().hex[:8]}:"
    yield name
    forget_prefix(REDIS_URL, name)


def _keys(prefix: str) -> list[bytes]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return [k for k in client.scan_iter(prefix + "*") if b"ratelimit" not in k]
    finally:
        client.close()


@pytest.mark.parametrize(
    "change, code",
    [
        ({"iss": "https://unknown.example"}, "unknown_platform"),
        ({"client_id": "not-registered"}, "unknown_platform"),
        ({"login_hint": "x" * (CAP + 1)}, "login_param_too_long"),
        ({"lti_message_hint": "é" * (CAP // 2 + 1)}, "login_param_too_long"),  # UTF-8 bytes
        ({"target_link_uri": "x" * (CAP + 1)}, "login_param_too_long"),  # before its own check
        ({"x" * (CAP + 1): "1"}, "login_param_too_long"),  # a parameter nobody uses
    ],
)
def test_a_refused_login_stores_nothing(tmp_path, prefix, change, code):
    settings = {"cache_url": REDIS_URL, "cache_prefix": prefix, "rate_limit_lti": "1000/hour"}
    with edge_tool(tmp_path, **settings) as tool, requests.Session() as client:
        client.headers["Accept"] = "application/json"
        params = {**tool.lms.login_params(), **change}
        before = _keys(prefix)
        answers = [client.post(tool.url + "/lti/login", data=params) for _ in range(20)]
        after = _keys(prefix)

    assert {(a.status_code, a.json()["error"]) for a in answers} == {(400, code)}
    assert after == before and not client.cookies


def test_a_login_at_the_cap_goes_through(tmp_path):
    with edge_tool(tmp_path) as tool:
        params = tool.lms.login_params(login_hint="é" * (CAP // 2), lti_message_hint="m" * CAP)
        response = requests.post(tool.url + "/lti/login", data=params, allow_redirects=False)
    assert response.status_code == 302
    assert "lti_message_hint=" + "m" * CAP in response.headers["Location"]
