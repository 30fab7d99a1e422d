"""AGS 2.0 client and client-credentials tokens against the test LMS over real HTTP.

The platform verifies our client assertion with the tool's JWKS fetched from the running tool,
issues bearer tokens, and serves line items and scores with the checks a strict LMS makes.
"""

from __future__ import annotations

import json
import re
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

import jwt
import pytest
import redis
import requests

from lms_plugin.domain.service_urls import ServicePolicy
from lms_plugin.kv import RedisStore
from lms_plugin.lti.ags import (
    LINEITEM_READONLY_SCOPE,
    LINEITEM_SCOPE,
    SCORE_MEDIA_TYPE,
    SCORE_SCOPE,
    AgsClient,
    AgsError,
    Score,
    scores_url,
)
from lms_plugin.lti.keys import public_pem
from lms_plugin.lti.service_token import (
    ServiceTokenError,
    TokenSource,
    access_token,
    client_assertion,
    retry_after_seconds,
    token_source,
)
from lms_plugin.lti.tool_config import active_key
from tests.support.lti_platform import ASSERTION_TYPE, LmsPlatform
from tests.support.processes import forget_prefix

pytestmark = pytest.mark.integration

WHEN = datetime(2025, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)
ISO_MICROS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")


@pytest.fixture
def lms(platform: LmsPlatform, tool) -> Iterator[LmsPlatform]:
    """The session's platform, with AGS state reset and the tool (and its JWKS) running."""
    platform.reset_ags()
    yield platform
    platform.reset_ags()


@pytest.fixture
def key(tool) -> tuple[str, str]:
    from lms_plugin.db import db

    with tool.app.app_context():
        row = active_key(db.session())
        assert row is not None
        return row.kid, row.private_key_pem


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    prefix = f"agstest:{uuid.uuid4().hex[:8]}:"
    yield prefix
    forget_prefix(redis_url, prefix)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def make_tokens(
    lms: LmsPlatform,
    key: tuple[str, str],
    store: RedisStore,
    http: requests.Session,
    **over: object,
) -> TokenSource:
    args = {"client_id": lms.client_id, "token_url": lms.token_url, **over}
    return token_source(signing_key=lambda: key, store=store, http=http, timeout=5, **args)


@pytest.fixture
def tokens(lms, key, prefix, redis_url, http) -> TokenSource:
    return make_tokens(lms, key, RedisStore(redis_url, prefix), http)


def only(lms: LmsPlatform) -> ServicePolicy:
    """The test LMS's own host (127.0.0.1), as for a registration with no other service host."""
    return ServicePolicy.of([lms.url], (), require_https=False)


@pytest.fixture
def ags(http, tokens, lms) -> AgsClient:
    return AgsClient(http, tokens, timeout=5, allowed=only(lms))


@pytest.fixture
def lineitem(lms, ags) -> str:
    return ags.create_lineitem(
        lms.lineitems_url(),
        label="Module 1",
        score_maximum=100,
        resource_id="module-1",
        tag="grade",
        resource_link_id="link-1",
    )


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def score(user: str = "learner-1", when: datetime = WHEN, **over: object) -> Score:
    values: dict[str, object] = {"score_given": 85.0, "score_maximum": 100.0, **over}
    return Score(user_id=user, timestamp=when, **values)  # type: ignore[arg-type]


def raise_ags(call) -> AgsError:
    with pytest.raises(AgsError) as caught:
        call()
    return caught.value


# --- client-credentials tokens (Security Framework §4.1) -----------------------------------


def test_token_is_fetched_once_and_shared_by_processes(lms, key, prefix, redis_url, http):
    first = make_tokens(lms, key, RedisStore(redis_url, prefix), http)
    other_worker = make_tokens(lms, key, RedisStore(redis_url, prefix), requests.Session())
    token = first((SCORE_SCOPE, LINEITEM_SCOPE), False)
    assert first((SCORE_SCOPE, LINEITEM_SCOPE), False) == token
    assert other_worker((LINEITEM_SCOPE, SCORE_SCOPE), False) == token  # scope order is moot
    assert lms.token_requests == 1
    assert first((SCORE_SCOPE,), False) != token  # another scope set is another token
    assert lms.token_requests == 2


def test_force_refresh_replaces_the_shared_token(lms, tokens):
    old = tokens((SCORE_SCOPE,), False)
    new = tokens((SCORE_SCOPE,), True)
    assert new != old
    assert tokens((SCORE_SCOPE,), False) == new
    assert lms.token_requests == 2


def test_cached_token_expires_before_the_platform_says(lms, key, prefix, redis_url, http):
    """Kept ``expires_in`` - 30 s: in the store (its TTL) and in the client (by its clock)."""
    lms.token_lifetime = 31  # 31 s - 30 s margin: cached for 1 s
    now = [1000.0]
    store = RedisStore(redis_url, prefix)
    tokens = make_tokens(lms, key, store, http, clock=lambda: now[0])
    first = tokens((SCORE_SCOPE,), False)
    server = redis.Redis.from_url(redis_url)
    [stored] = server.keys(prefix + "*")
    assert 0 < server.pttl(stored) <= 1000
    now[0] += 0.9
    assert tokens((SCORE_SCOPE,), False) == first  # held by the client
    server.delete(stored)  # what the store's TTL does after that second (not waited for here)
    now[0] += 0.2
    assert tokens((SCORE_SCOPE,), False) != first
    assert lms.token_requests == 2


def test_a_client_holds_its_token_briefly_instead_of_asking_the_store_each_call(
    lms, key, prefix, redis_url, http
):
    store = RedisStore(redis_url, prefix)
    asked: list[str] = []
    real_get = store.get
    store.get = lambda k: asked.append(k) or real_get(k)  # type: ignore[method-assign]
    first = make_tokens(lms, key, store, http)
    token = first((SCORE_SCOPE,), False)  # requested: nothing in the store yet
    assert [first((SCORE_SCOPE,), False) for _ in range(5)] == [token] * 5
    assert len(asked) == 1 and lms.token_requests == 1
    second = make_tokens(lms, key, store, http)  # another process: from the store, once
    assert second((SCORE_SCOPE,), False) == second((SCORE_SCOPE,), False) == token
    assert len(asked) == 2 and lms.token_requests == 1
    assert second((SCORE_SCOPE,), True) != token  # a 401's refresh bypasses what is held


def test_client_assertion_claims(lms, key):
    kid, pem = key
    one = client_assertion(lms.client_id, lms.token_url, kid, pem)
    two = client_assertion(lms.client_id, lms.token_url, kid, pem)
    header = jwt.get_unverified_header(one)
    claims = jwt.decode(one, public_pem(pem), algorithms=["RS256"], audience=lms.token_url)
    assert header["alg"] == "RS256" and header["kid"] == kid
    assert claims["iss"] == claims["sub"] == lms.client_id
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert claims["jti"] != jwt.decode(two, options={"verify_signature": False})["jti"]


def test_platform_refuses_replayed_jti_and_wrong_audience(lms, key, http):
    kid, pem = key
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "scope": SCORE_SCOPE,
    }
    assertion = client_assertion(lms.client_id, lms.token_url, kid, pem)
    ok = http.post(lms.token_url, data={**form, "client_assertion": assertion})
    assert ok.status_code == 200
    assert ok.json()["token_type"] == "Bearer" and ok.json()["expires_in"] == 3600
    replay = http.post(lms.token_url, data={**form, "client_assertion": assertion})
    assert (replay.status_code, replay.json()["error"]) == (401, "invalid_client")
    foreign = client_assertion(lms.client_id, lms.url + "/elsewhere", kid, pem)
    wrong_aud = http.post(lms.token_url, data={**form, "client_assertion": foreign})
    assert wrong_aud.status_code == 401
    bad_grant = http.post(
        lms.token_url, data={**form, "grant_type": "password", "client_assertion": "x"}
    )
    assert (bad_grant.status_code, bad_grant.json()["error"]) == (400, "unsupported_grant_type")


@pytest.mark.parametrize(
    ("setup", "status", "error", "retryable"),
    [
        ("wrong_client", 401, "invalid_client", False),
        ("unknown_key", 401, "invalid_client", False),
        ("no_scope", 400, "invalid_scope", False),
        ("unavailable", 503, "injected", True),
        ("rate_limited", 429, "injected", True),
        ("refused", None, None, True),
    ],
)
def test_token_errors_are_classified(
    lms, key, prefix, redis_url, http, setup, status, error, retryable
):
    kid, pem = key
    over: dict[str, str] = {}
    if setup == "wrong_client":
        over["client_id"] = "someone-else"
    elif setup == "unknown_key":
        from lms_plugin.lti.keys import new_private_key_pem

        pem = new_private_key_pem()
    elif setup == "no_scope":
        lms.allowed_scopes = {LINEITEM_SCOPE}
    elif setup == "unavailable":
        lms.fail_next(503, target="token")
    elif setup == "rate_limited":
        lms.fail_next(429, retry_after=7, target="token")
    else:
        over["token_url"] = closed_url() + "/token"
    tokens = make_tokens(lms, (kid, pem), RedisStore(redis_url, prefix), http, **over)
    with pytest.raises(ServiceTokenError) as caught:
        tokens((SCORE_SCOPE,), False)
    exc = caught.value
    assert (exc.lms_status, exc.error, exc.retryable) == (status, error, retryable)
    assert exc.retry_after == (7.0 if setup == "rate_limited" else None)
    if setup in ("unavailable", "rate_limited"):  # the fault was for one request only
        assert tokens((SCORE_SCOPE,), False)
    else:
        with pytest.raises(ServiceTokenError):  # nothing was cached
            tokens((SCORE_SCOPE,), False)


@pytest.mark.parametrize(
    ("setup", "classification", "retryable"),
    [
        ("no_scope", "scope_missing", False),
        ("wrong_client", "unauthorized", False),
        ("unavailable", "server_error", True),
    ],
)
def test_token_failures_reach_the_caller_as_ags_errors(
    lms, key, prefix, redis_url, http, lineitem, setup, classification, retryable
):
    over = {"client_id": "someone-else"} if setup == "wrong_client" else {}
    if setup == "no_scope":
        lms.allowed_scopes = {LINEITEM_SCOPE}
    if setup == "unavailable":
        lms.fail_next(503, target="token")
    tokens = make_tokens(lms, key, RedisStore(redis_url, prefix), http, **over)
    client = AgsClient(http, tokens, 5, allowed=only(lms))
    exc = raise_ags(lambda: client.post_score(lineitem, score()))
    assert (exc.classification, exc.retryable) == (classification, retryable)


def test_access_token_function_signature(lms, key, prefix, redis_url, http):
    asked: list[int] = []
    args = {
        "client_id": lms.client_id,
        "token_url": lms.token_url,
        "signing_key": lambda: asked.append(1) or key,
        "scopes": (SCORE_SCOPE,),
        "store": RedisStore(redis_url, prefix),
        "http": http,
        "timeout": 5.0,
    }
    token, _ = access_token(**args)
    assert access_token(**args)[0] == token
    assert len(asked) == 1  # the private key is read only when a token must be requested
    assert access_token(**args, force_refresh=True)[0] != token
    assert len(asked) == 2


# --- scores (AGS §3.4) ---------------------------------------------------------------------


@pytest.mark.parametrize("broken_id", ["not-a-url", "https://lms/" + "x" * 1000])
def test_line_item_without_a_usable_id_is_refused_not_kept(lms, ags, broken_id):
    lms.lineitem_id_override = broken_id
    try:
        with pytest.raises(AgsError) as refused:
            ags.create_lineitem(
                lms.lineitems_url(),
                label="Module 9",
                score_maximum=100,
                resource_id="module-9",
                tag="grade",
                resource_link_id=None,
            )
        found = ags.find_lineitem(
            lms.lineitems_url(), resource_id="module-9", resource_link_id=None
        )
    finally:
        lms.lineitem_id_override = None
    assert refused.value.classification == "bad_request" and not refused.value.retryable
    assert found is None  # the broken item it made is not taken up either


@pytest.mark.parametrize(
    ("lineitem_url", "expected"),
    [
        ("https://lms/ags/c1/lineitems/7", "https://lms/ags/c1/lineitems/7/scores"),
        ("https://lms/ags/c1/lineitems/7/", "https://lms/ags/c1/lineitems/7/scores"),
        (
            "https://moodle/mod/lti/services.php/2/lineitems/9/lineitem?type_id=3",
            "https://moodle/mod/lti/services.php/2/lineitems/9/lineitem/scores?type_id=3",
        ),
        (
            "https://moodle/mod/lti/services.php/2/lineitems/9/lineitem/?type_id=3&x=a%20b",
            "https://moodle/mod/lti/services.php/2/lineitems/9/lineitem/scores?type_id=3&x=a%20b",
        ),
    ],
)
def test_scores_url(lineitem_url, expected):
    assert scores_url(lineitem_url) == expected


def test_post_score_body_is_exactly_the_spec(lms, ags, lineitem):
    ags.post_score(lineitem, score(comment="Well argued."))
    [record] = lms.scores
    assert record["lineitem"] == lineitem and record["user"] == "learner-1"
    assert record["content_type"] == SCORE_MEDIA_TYPE
    assert record["body"] == {
        "userId": "learner-1",
        "scoreGiven": 85.0,
        "scoreMaximum": 100.0,
        "comment": "Well argued.",
        "timestamp": "2025-03-14T15:09:26.535897+00:00",
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }


def test_score_timestamp_is_utc_with_microseconds_and_comment_optional():
    later = datetime(2025, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    body = score(when=later).to_json()
    assert body["timestamp"] == "2025-01-01T10:00:00.000000+00:00"
    assert ISO_MICROS_UTC.match(body["timestamp"])
    assert "comment" not in body
    with pytest.raises(ValueError, match="timezone-aware"):
        score(when=datetime(2025, 1, 1, 12, 0))  # naive: refused
    with pytest.raises(ValueError, match="gradingProgress"):
        score(grading_progress="Done")


def test_expired_token_is_refreshed_once_and_the_score_lands(lms, ags, lineitem):
    ags.post_score(lineitem, score())
    before = lms.token_requests
    lms.expire_tokens()
    ags.post_score(lineitem, score(when=WHEN + timedelta(seconds=1)))
    assert len(lms.scores) == 2
    assert lms.token_requests == before + 1  # one refresh, then the cached token again
    ags.post_score(lineitem, score(when=WHEN + timedelta(seconds=2)))
    assert lms.token_requests == before + 1


def test_401_after_refresh_is_unauthorized(lms, ags, lineitem):
    ags.post_score(lineitem, score())
    before = lms.token_requests
    lms.fail_next(401, 2)
    exc = raise_ags(lambda: ags.post_score(lineitem, score(when=WHEN + timedelta(seconds=5))))
    assert (exc.classification, exc.lms_status, exc.retryable) == ("unauthorized", 401, False)
    assert lms.token_requests == before + 1  # exactly one refresh
    assert len(lms.scores) == 1


def test_429_is_rate_limited_with_retry_after(lms, ags, lineitem):
    lms.fail_next(429, 1, retry_after=120)
    exc = raise_ags(lambda: ags.post_score(lineitem, score()))
    assert (exc.classification, exc.lms_status, exc.retryable) == ("rate_limited", 429, True)
    assert exc.retry_after == 120.0
    ags.post_score(lineitem, score())  # the fault was for one request only
    assert len(lms.scores) == 1


@pytest.mark.parametrize(
    ("status", "classification", "retryable"),
    [
        (500, "server_error", True),
        (503, "server_error", True),
        (404, "not_gradable", False),
        (409, "not_gradable", False),
        (410, "not_gradable", False),
        (422, "not_gradable", False),
        (403, "scope_missing", False),
        (400, "bad_request", False),
    ],
)
def test_http_errors_are_classified(lms, ags, lineitem, status, classification, retryable):
    lms.fail_next(status, 1)
    exc = raise_ags(lambda: ags.post_score(lineitem, score()))
    assert (exc.classification, exc.lms_status, exc.retryable) == (
        classification,
        status,
        retryable,
    )
    assert exc.retry_after is None
    assert lms.scores == []


def test_retry_after_as_http_date():
    soon = datetime.now(UTC) + timedelta(seconds=90)
    assert 85 <= (retry_after_seconds(format_datetime(soon, usegmt=True)) or 0) <= 90
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("²") is None  # a digit to str.isdigit(), not to float()
    assert retry_after_seconds("120") == 120.0


def test_unknown_line_item_and_unknown_user_are_not_gradable(lms, ags, lineitem):
    gone = raise_ags(lambda: ags.post_score(lineitem.rsplit("/", 1)[0] + "/999", score()))
    assert (gone.classification, gone.lms_status) == ("not_gradable", 404)
    stranger = raise_ags(lambda: ags.post_score(lineitem, score(user="ghost")))
    assert (stranger.classification, stranger.lms_status) == ("not_gradable", 422)


def test_connection_refused_is_a_retryable_network_error(lms, ags):
    exc = raise_ags(lambda: ags.post_score(closed_url() + "/ags/c/lineitems/1", score()))
    assert (exc.classification, exc.lms_status, exc.retryable) == ("network", None, True)


def test_platform_checks_media_type_and_fields(lms, tokens, lineitem, http):
    auth = {"Authorization": "Bearer " + tokens((SCORE_SCOPE,), False)}
    body = score().to_json()
    as_json = http.post(scores_url(lineitem), json=body, headers=auth)
    assert as_json.status_code == 415
    for broken in (
        {**body, "gradingProgress": "Done"},
        {**body, "timestamp": "2025-03-14T15:09:26Z"},
    ):
        answer = http.post(
            scores_url(lineitem),
            data=json.dumps(broken),
            headers={**auth, "Content-Type": SCORE_MEDIA_TYPE},
        )
        assert answer.status_code == 400, broken
    assert lms.scores == []


def test_moodle_refuses_a_score_not_later_in_whole_seconds_with_409(lms, ags, lineitem):
    """Moodle keeps whole seconds: a later score within the same second, or an earlier one, is
    refused with 409 (ltiservice_gradebookservices scores.php)."""
    base = WHEN.replace(microsecond=100_000)
    ags.post_score(lineitem, score(when=base, score_given=50.0))
    for when in (base.replace(microsecond=900_000), base - timedelta(minutes=1)):
        exc = raise_ags(lambda when=when: ags.post_score(lineitem, score(when=when)))
        assert (exc.lms_status, exc.retryable) == (409, False)
    ags.post_score(lineitem, score(when=base + timedelta(seconds=1), score_given=90.0))
    assert [r["body"]["scoreGiven"] for r in lms.scores] == [50.0, 90.0]
    assert len(lms.refused_scores) == 2


def test_canvas_refuses_only_an_earlier_score_with_400(lms, ags, lineitem):
    lms.score_timestamps = "canvas"
    base = WHEN.replace(microsecond=100_000)
    ags.post_score(lineitem, score(when=base, score_given=50.0))
    ags.post_score(lineitem, score(when=base.replace(microsecond=900_000), score_given=60.0))
    exc = raise_ags(lambda: ags.post_score(lineitem, score(when=base)))
    assert (exc.lms_status, exc.classification) == (400, "bad_request")
    assert [r["body"]["scoreGiven"] for r in lms.scores] == [50.0, 60.0]


def test_a_score_waiting_for_a_person_goes_without_score_given(lms, ags, lineitem):
    waiting = score(
        score_given=None,
        activity_progress="Submitted",
        grading_progress="PendingManual",
        comment="Quiz 90% passed; assignment waiting for review",
    )
    ags.post_score(lineitem, waiting)
    [record] = lms.scores
    assert "scoreGiven" not in record["body"]
    assert record["body"]["gradingProgress"] == "PendingManual"
    assert lms.cell(lineitem) == {
        "score": None,
        "needs_grading": True,
        "comment": "Quiz 90% passed; assignment waiting for review",
        "activity": "Submitted",
    }
    ags.post_score(lineitem, score(when=WHEN + timedelta(seconds=1), score_given=82.5))
    assert lms.cell(lineitem)["score"] == 82.5  # once reviewed: the number
    assert lms.cell(lineitem)["needs_grading"] is False


# --- line items (AGS §3.2) -----------------------------------------------------------------


def test_create_and_find_line_items_with_filters(lms, ags):
    url = lms.lineitems_url("course-7")
    first = ags.create_lineitem(
        url, label="M1", score_maximum=100, resource_id="m1", tag="t", resource_link_id="link-1"
    )
    second = ags.create_lineitem(
        url,
        label="M1 again",
        score_maximum=50,
        resource_id="m1",
        tag="t",
        resource_link_id="link-2",
    )
    unlinked = ags.create_lineitem(
        url, label="M2", score_maximum=10, resource_id="m2", tag="t", resource_link_id=None
    )
    assert len({first, second, unlinked}) == 3 and first.startswith(lms.url + "/ags/course-7/")
    assert ags.find_lineitem(url, resource_id="m1", resource_link_id="link-2") == second
    assert ags.find_lineitem(url, resource_id="m1", resource_link_id="link-1") == first
    assert ags.find_lineitem(url, resource_id="m2", resource_link_id=None) == unlinked
    assert ags.find_lineitem(url, resource_id="m3", resource_link_id=None) is None
    assert (
        ags.find_lineitem(lms.lineitems_url("other"), resource_id="m1", resource_link_id=None)
        is None
    )
    stored = {entry["item"]["id"]: entry["item"] for entry in lms.lineitems.values()}
    assert stored[second] == {
        "id": second,
        "label": "M1 again",
        "scoreMaximum": 50,
        "resourceId": "m1",
        "tag": "t",
        "resourceLinkId": "link-2",
    }
    assert "resourceLinkId" not in stored[unlinked]


def test_find_follows_pages_and_can_use_the_readonly_scope(lms, ags):
    url = lms.lineitems_url()
    made = [
        ags.create_lineitem(
            url, label=f"M{i}", score_maximum=1, resource_id=f"m{i}", tag="t", resource_link_id=None
        )
        for i in range(3)
    ]
    lms.page_size, lms.honour_filters = 1, False  # one item a page, filters ignored
    assert ags.find_lineitem(url, resource_id="m2", resource_link_id=None) == made[2]
    lms.allowed_scopes = {LINEITEM_READONLY_SCOPE, SCORE_SCOPE}
    assert (
        ags.find_lineitem(url, resource_id="m1", resource_link_id=None, read_only=True) == made[1]
    )


def test_moodle_style_urls_round_trip(lms, ags):
    lms.moodle_style_urls = True
    url = lms.lineitems_url()
    assert url.endswith("/ags/course-101/lineitems?type_id=3")
    made = ags.create_lineitem(
        url, label="M1", score_maximum=100, resource_id="m1", tag="t", resource_link_id="link-1"
    )
    assert re.fullmatch(
        re.escape(lms.url) + r"/ags/course-101/lineitems/\d+/lineitem\?type_id=3", made
    )
    assert ags.find_lineitem(url, resource_id="m1", resource_link_id="link-1") == made
    ags.post_score(made, score())
    assert [r["lineitem"] for r in lms.scores] == [made]
    dropped_query = raise_ags(lambda: ags.post_score(made.split("?")[0], score()))
    assert dropped_query.classification == "bad_request"  # the platform needs its type_id


def test_claims_point_at_this_platform(lms):
    endpoint = lms.claims(nonce="n", lineitem="https://lms/li/1")[
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    ]
    assert endpoint["lineitems"] == lms.url + "/ags/course-101/lineitems"
    assert endpoint["lineitem"] == "https://lms/li/1"
    plain = lms.claims(nonce="n")["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert "lineitem" not in plain
