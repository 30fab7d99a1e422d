"""A flood of anonymous logins cannot grow the launch-state store without bound (issue 12,
finding 1: 50 logins with huge parameters once grew the SQLite file by ~95 MB).

The bound, per client address: a login stores one state record only while the address is
within ``LMS_RATE_LIMIT_LTI`` (here 100 per hour), and a record is at most
``RECORD_MAX_BYTES`` (~73 KB): the login parameters a new window needs, each at most
``LMS_LOGIN_PARAM_MAX_BYTES`` (4 KB) and URL-encoded (3 bytes per byte at worst), plus about
1 KB of fixed fields. So 1,000 logins with every parameter at its maximum leave at most
100 records: measured, 49.6 KB each in the SQL store (5.0 MB in all) and 57.5 KB of Redis
MEMORY USAGE each (5.7 MB). (A refused login stores nothing: test_login_params.py.)
In production the same reasoning gives, per address, at most the limit's rate times the state
TTL (``LMS_LAUNCH_STATE_TTL_SECONDS``) records alive.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import redis
import requests

from lms_plugin.lti.login import RESTART_PARAMS
from tests.support.edge_tool import EdgeTool, edge_tool
from tests.support.endpoints import REDIS_URL
from tests.support.processes import forget_prefix

pytestmark = pytest.mark.integration

LOGINS = 1000
LIMIT = 100  # per hour: the window outlasts the test, so exactly LIMIT logins get through
PARAM_MAX = 4096  # Settings.login_param_max_bytes (the default)
# The restart parameters URL-encoded at worst (every byte as %XX), their names, ~1 KB fixed.
RECORD_MAX_BYTES = len(RESTART_PARAMS) * (3 * PARAM_MAX + 32) + 1024
WORST = "é" * (PARAM_MAX // 2)  # 2 UTF-8 bytes a character, each byte %XX-encoded


def _max_params(tool: EdgeTool) -> dict[str, str]:
    target = tool.url + "/lti/launch?"
    return tool.lms.login_params(
        login_hint=WORST,
        lti_message_hint=WORST,
        lti_deployment_id=WORST,
        target_link_uri=target + "é" * ((PARAM_MAX - len(target)) // 2),
        lti_storage_target="f" * 100,
    )


def _flood(tool: EdgeTool, params: dict[str, str], count: int = LOGINS) -> list[int]:
    """``count`` logins from one address (posted: a 50 KB query string is slow to send)."""
    body = urlencode(params)
    headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
    statuses = []
    with requests.Session() as client:
        for _ in range(count):
            response = client.post(
                tool.url + "/lti/login", data=body, headers=headers, allow_redirects=False
            )
            statuses.append(response.status_code)
            client.cookies.clear()  # an attacker keeps none
    return statuses


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"flood:{uuid.uuid4().hex[:8]}:"
    yield name
    forget_prefix(REDIS_URL, name)


def _redis_usage(prefix: str, pattern: str) -> tuple[int, int]:
    """How many keys match, and their MEMORY USAGE in bytes (value, key and Redis overhead)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(prefix + pattern, count=1000))
        return len(keys), sum(int(client.memory_usage(key) or 0) for key in keys)
    finally:
        client.close()


def _sql_usage(tool: EdgeTool, like: str) -> tuple[int, int]:
    """How many kv_entry rows match, and the bytes of their keys and values."""
    rows = tool.scalar(f"SELECT count(*) FROM kv_entry WHERE key LIKE '{like}'")
    size = tool.scalar(
        "SELECT coalesce(sum(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB))), 0)"
        f" FROM kv_entry WHERE key LIKE '{like}'"
    )
    return int(rows), int(size)  # type: ignore[call-overload]


def test_a_flood_on_the_embedded_sql_store_keeps_at_most_limit_states(tmp_path):
    with edge_tool(tmp_path, rate_limit_lti=f"{LIMIT}/hour") as tool:
        statuses = _flood(tool, _max_params(tool))
        states, state_bytes = _sql_usage(tool, "%lti-state:%")
        everything = _sql_usage(tool, "%")

    assert statuses.count(302) == 0 and statuses.count(200) == LIMIT  # storage page, then LMS
    assert statuses.count(429) == LOGINS - LIMIT
    assert states == LIMIT
    assert state_bytes <= LIMIT * RECORD_MAX_BYTES, state_bytes
    # The store holds nothing else of size: the tenant snapshot and its generation.
    assert everything[1] - state_bytes < 4096, everything


def test_a_flood_on_redis_keeps_at_most_limit_states(tmp_path, prefix):
    settings = {"rate_limit_lti": f"{LIMIT}/hour", "cache_url": REDIS_URL, "cache_prefix": prefix}
    with edge_tool(tmp_path, **settings) as tool:
        statuses = _flood(tool, _max_params(tool))
        states, state_memory = _redis_usage(prefix, "lti-state:*")
        keys, memory = _redis_usage(prefix, "*")

    assert statuses.count(200) == LIMIT and statuses.count(429) == LOGINS - LIMIT
    assert states == LIMIT
    # MEMORY USAGE adds Redis's own per-key overhead and allocator rounding (< 1/4 here).
    assert state_memory <= LIMIT * RECORD_MAX_BYTES * 5 // 4, state_memory
    # Beside the states: the tenant snapshot, its generation and the rate-limit counter.
    assert keys - states <= 4 and memory - state_memory < 4096, (keys, memory)
