"""The AGS and NRPS clients send the platform's token only to its hosts (issue 12, finding 4),
checked at the point of use: every request, every redirect, every ``rel="next"`` page. Real
HTTP: the test LMS issues the tokens; recording servers on its host (127.0.0.1, another port)
and on another host (127.0.0.2) show what reached them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from lms_plugin.domain.service_urls import ServicePolicy
from lms_plugin.kv import RedisStore
from lms_plugin.lti.ags import AgsClient, AgsError, Score
from lms_plugin.lti.nrps import NrpsClient
from lms_plugin.lti.service_token import TokenSource, token_source
from lms_plugin.lti.tool_config import active_key
from tests.support.lti_platform import LmsPlatform
from tests.support.lti_platform_recorder import RecordingServices
from tests.support.processes import forget_prefix

pytestmark = pytest.mark.integration

SCORE = Score(user_id="learner-1", score_given=1.0, score_maximum=1.0, timestamp=datetime.now(UTC))
MEMBER = {"user_id": "learner-1", "roles": ["Learner"], "status": "Active"}


@pytest.fixture(scope="module")
def recorders() -> Iterator[tuple[RecordingServices, RecordingServices]]:
    own, foreign = RecordingServices("127.0.0.1").start(), RecordingServices("127.0.0.2").start()
    yield own, foreign
    own.stop()
    foreign.stop()


@pytest.fixture
def own(recorders) -> RecordingServices:
    """On the test LMS's host (its port differs: ports do not matter)."""
    recorders[0].reset()
    return recorders[0]


@pytest.fixture
def foreign(recorders) -> RecordingServices:
    recorders[1].reset()
    return recorders[1]


@pytest.fixture
def tokens(tool, platform: LmsPlatform, redis_url: str) -> Iterator[TokenSource]:
    from lms_plugin.db import db

    platform.reset_ags()
    with tool.app.app_context():
        key = active_key(db.session())
        assert key is not None
        kid, pem = key.kid, key.private_key_pem
    prefix = f"hoststest:{uuid.uuid4().hex[:8]}:"
    http = requests.Session()
    yield token_source(
        client_id=platform.client_id,
        token_url=platform.token_url,
        signing_key=lambda: (kid, pem),
        store=RedisStore(redis_url, prefix),
        http=http,
        timeout=5,
    )
    http.close()
    forget_prefix(redis_url, prefix)


def policy(platform: LmsPlatform, *, https: bool = False) -> ServicePolicy:
    """A registration of the test LMS with no other service host."""
    return ServicePolicy.of(
        [platform.issuer, platform.url + "/auth", platform.token_url, platform.jwks_url],
        (),
        require_https=https,
    )


def ags(platform: LmsPlatform, tokens: TokenSource, *, https: bool = False) -> AgsClient:
    return AgsClient(requests.Session(), tokens, 5, allowed=policy(platform, https=https))


def refused(call) -> AgsError:
    with pytest.raises(AgsError) as caught:
        call()
    assert caught.value.classification == "host_not_allowed" and not caught.value.retryable
    return caught.value


def test_a_score_for_a_line_item_on_another_host_is_never_sent(platform, tokens, own, foreign):
    client = ags(platform, tokens)
    error = refused(lambda: client.post_score(foreign.lineitems_url() + "/1", SCORE))
    assert foreign.requests == []
    assert platform.token_requests == 0  # refused before a token was even asked for
    assert "is not on a host of this platform" in str(error)
    assert "--service-host 127.0.0.2" in str(error)
    # The LMS's own host, on another port than its token URL's, gets the token.
    made = client.create_lineitem(
        own.lineitems_url(),
        label="M1",
        score_maximum=1,
        resource_id="m1",
        tag="t",
        resource_link_id=None,
    )
    client.post_score(made, SCORE)
    assert [r.method for r in own.bearer_requests] == ["POST", "POST"]


def test_a_redirect_is_followed_on_the_platform_host_only(platform, tokens, own, foreign):
    client = ags(platform, tokens)
    own.redirect_to = own.lineitems_url("moved")
    assert (
        client.find_lineitem(own.lineitems_url(), resource_id="m1", resource_link_id=None) is None
    )
    assert [r.url.split("?")[0] for r in own.bearer_requests] == [
        own.lineitems_url(),
        own.lineitems_url("moved"),
    ]
    own.redirect_to = foreign.lineitems_url()
    refused(
        lambda: client.find_lineitem(own.lineitems_url(), resource_id="m1", resource_link_id=None)
    )
    assert len(own.bearer_requests) == 3
    assert foreign.requests == []  # not even without the token


def test_line_item_pages_on_another_host_are_not_fetched(platform, tokens, own, foreign):
    own.next_page = foreign.lineitems_url() + "?page=1"
    refused(
        lambda: ags(platform, tokens).find_lineitem(
            own.lineitems_url(), resource_id="m1", resource_link_id=None
        )
    )
    assert len(own.bearer_requests) == 1 and foreign.requests == []


def test_roster_pages_on_another_host_are_not_fetched(platform, tokens, own, foreign):
    own.members = [MEMBER]
    own.next_page = foreign.memberships_url() + "?page=1"
    nrps = NrpsClient(requests.Session(), tokens, 5, allowed=policy(platform))
    seen = []
    refused(lambda: seen.extend(nrps.members(own.memberships_url())))
    assert [m.user_id for m in seen] == ["learner-1"]  # the first page, from the LMS's host
    assert foreign.requests == []


def test_in_production_plain_http_is_refused_even_on_the_platform_host(platform, tokens, own):
    error = refused(
        lambda: ags(platform, tokens, https=True).post_score(own.lineitems_url() + "/1", SCORE)
    )
    assert "is not an https URL" in str(error)
    assert own.requests == []
