"""Per-address rate limits on the anonymous LTI edge, over HTTP: login, launch and dynamic
registration each have a budget per client address; past it, a 429 page or JSON with
``Retry-After``. Login and launch count beside the launch state (edge_counts), the others
through the limits library; counters live in Redis when the tool has one (shared by its
processes). A limits storage of its own that cannot be reached leaves the launch working,
limited in memory."""

from __future__ import annotations

import uuid

import pytest
import redis
import requests
from limits import parse_many

from lms_plugin.db import db
from lms_plugin.domain.errors import RateLimitedError
from lms_plugin.web.app import create_app
from lms_plugin.web.rate_limits import EdgeLimiter
from tests.support.edge_tool import EdgeTool, edge_tool
from tests.support.endpoints import REDIS_URL
from tests.support.launch_flow import full_launch
from tests.support.processes import forget_prefix
from tests.support.redis_servers import redis_server
from tests.support.servers import ServerThread

pytestmark = pytest.mark.integration

JSON = {"Accept": "application/json"}


def _login(tool: EdgeTool, **headers: str) -> requests.Response:
    return requests.get(
        tool.url + "/lti/login",
        params=tool.lms.login_params(),
        headers={**JSON, **headers},
        allow_redirects=False,
    )


def _assert_limited(response: requests.Response, window: int) -> None:
    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["Retry-After"]) <= window
    if response.headers["Content-Type"].startswith("application/json"):
        body = response.json()
        assert body["error"] == "rate_limited" and "try again" in body["message"]


@pytest.fixture
def prefix() -> str:
    name = f"rl-test:{uuid.uuid4().hex[:8]}:"
    yield name
    forget_prefix(REDIS_URL, name)


def _keys(url: str, pattern: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return list(client.scan_iter(pattern))
    finally:
        client.close()


def test_login_over_its_budget_gets_a_429_page_with_retry_after(tmp_path):
    with edge_tool(tmp_path, rate_limit_lti="3/hour") as tool:
        assert [_login(tool).status_code for _ in range(3)] == [302] * 3

        _assert_limited(_login(tool), 3600)
        page = _login(tool, Accept="text/html")  # inside the LMS iframe
        _assert_limited(page, 3600)
        assert page.headers["Content-Type"].startswith("text/html")
        assert "Too many requests" in page.text and "rate_limited" in page.text
        # Other pages are not limited; the launch has its own budget.
        assert requests.get(tool.url + "/healthz").status_code == 200
        launches = [
            requests.post(tool.url + "/lti/launch", data={"state": "s"}, headers=JSON)
            for _ in range(4)
        ]
    assert [r.status_code for r in launches[:3]] == [400] * 3
    _assert_limited(launches[3], 3600)


@pytest.mark.parametrize("store", ["sql", "redis"])
def test_refused_logins_count_too_and_a_flood_of_unknown_issuers_is_limited(tmp_path, store):
    prefix = f"rl-test:{uuid.uuid4().hex[:8]}:"
    redis_store = {"cache_url": REDIS_URL, "cache_prefix": prefix} if store == "redis" else {}
    try:
        with edge_tool(tmp_path, rate_limit_lti="3/hour", **redis_store) as tool:
            unknown = {**tool.lms.login_params(), "iss": "https://unknown.example"}
            refused = [
                requests.get(tool.url + "/lti/login", params=unknown, headers=JSON)
                for _ in range(2)
            ]
            missing = requests.get(tool.url + "/lti/login", params={"iss": "x"}, headers=JSON)
            flood = requests.get(tool.url + "/lti/login", params=unknown, headers=JSON)
            good = _login(tool)  # this address's budget is spent, whatever the logins were
    finally:
        forget_prefix(REDIS_URL, prefix)
    assert [r.json()["error"] for r in refused] == ["unknown_platform"] * 2
    assert missing.json()["error"] == "login_param_missing"
    _assert_limited(flood, 3600)
    _assert_limited(good, 3600)


def test_each_client_address_has_its_own_budget(tmp_path):
    # Behind one trusted proxy the client address is the one it forwards (ProxyFix).
    with edge_tool(tmp_path, rate_limit_lti="2/hour", trust_proxy=1) as tool:
        first = [_login(tool, **{"X-Forwarded-For": "192.0.2.1"}).status_code for _ in range(3)]
        second = [_login(tool, **{"X-Forwarded-For": "192.0.2.2"}).status_code for _ in range(3)]
    assert first == second == [302, 302, 429]


def test_registration_pages_are_limited(tmp_path):
    with edge_tool(tmp_path, rate_limit_registration="2/minute") as tool:
        pages = [requests.get(tool.url + "/lti/register/ticket", headers=JSON) for _ in range(3)]
        posted = requests.post(tool.url + "/lti/register/ticket", headers=JSON)
    assert [p.status_code for p in pages[:2]] == [400, 400]  # no openid_configuration
    _assert_limited(pages[2], 60)
    assert posted.status_code == 400  # each page its own budget


def test_web_processes_share_the_counters_in_redis(tmp_path, prefix):
    settings = {"rate_limit_lti": "3/hour", "cache_url": REDIS_URL, "cache_prefix": prefix}
    with edge_tool(tmp_path, **settings) as one:
        # Another web process of the same tool: same settings, database and Redis.
        app = create_app(one.app.extensions["lms_settings"])
        other = ServerThread(app).start()
        try:
            login = requests.get(
                other.url + "/lti/login", params=one.lms.login_params(), allow_redirects=False
            )
            statuses = [_login(one).status_code, _login(one).status_code, login.status_code]
            assert statuses == [302, 302, 302]
            again = requests.get(other.url + "/lti/login", params=one.lms.login_params())
            _assert_limited(again, 3600)
        finally:
            other.stop()
            with app.app_context():
                db.engine.dispose()
            app.extensions["lms_http"].close()
    assert _keys(REDIS_URL, prefix + "ratelimit:*")  # under the tool's cache prefix


def test_a_storage_url_of_its_own_is_used(tmp_path, prefix):
    own = REDIS_URL.rsplit("/", 1)[0] + "/3"  # this suite part's own Redis database
    with edge_tool(
        tmp_path, rate_limit_lti="5/hour", rate_limit_storage_url=own, cache_prefix=prefix
    ) as tool:
        assert _login(tool).status_code == 302
    try:
        assert _keys(own, prefix + "ratelimit:*")
    finally:
        forget_prefix(own, prefix)


def test_an_unreachable_limiter_redis_leaves_launches_working_and_limited(tmp_path):
    # Nothing listens on port 1: the limiter falls back to this process's memory.
    with edge_tool(
        tmp_path, rate_limit_lti="4/hour", rate_limit_storage_url="redis://127.0.0.1:1/0"
    ) as tool:
        with requests.Session() as browser:
            launched = full_launch(browser, tool.url, tool.lms)
        assert launched.status_code == 200 and "Lena Learner" in launched.text
        assert [_login(tool).status_code for _ in range(3)] == [302, 302, 302]
        _assert_limited(_login(tool), 3600)  # counted in memory: the Redis never answered


def test_counters_go_back_to_redis_once_it_answers_again(tmp_path):
    now = [0.0]
    with redis_server(tmp_path) as port:
        url = f"redis://127.0.0.1:{port}/0"
        limiter = EdgeLimiter(url, "rl-back:", clock=lambda: now[0])
        budget = parse_many("3/hour")
        limiter.check(budget, "198.51.100.7", "lti.login")
        assert _keys(url, "rl-back:ratelimit*")
    # Redis is gone: counted in this process, from zero, and still limited.
    for _ in range(3):
        limiter.check(budget, "198.51.100.7", "lti.login")
    with pytest.raises(RateLimitedError) as refused:
        limiter.check(budget, "198.51.100.7", "lti.login")
    assert 0 < refused.value.retry_after <= 3600
    with redis_server(tmp_path, port=port):  # back, empty (no persistence)
        now[0] += 10  # still inside the away period: memory, where the budget is spent
        with pytest.raises(RateLimitedError):
            limiter.check(budget, "198.51.100.7", "lti.login")
        assert not _keys(url, "rl-back:ratelimit*")
        now[0] += 30  # past it: Redis counts again
        limiter.check(budget, "198.51.100.7", "lti.login")
        assert _keys(url, "rl-back:ratelimit*")


def test_admin_sign_in_links_are_limited(tmp_path):
    with edge_tool(tmp_path, rate_limit_registration="2/minute") as tool:
        origin = {"Origin": tool.url, **JSON}
        tries = [
            requests.post(tool.url + "/admin/sign-in", data={"token": "x" * 43}, headers=origin)
            for _ in range(3)
        ]
    assert all(t.status_code != 429 for t in tries[:2]), [t.status_code for t in tries]
    _assert_limited(tries[2], 60)
