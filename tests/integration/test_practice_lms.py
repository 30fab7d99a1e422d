"""The practice LMS against the real tool over HTTP: launches through the OIDC login with its
signed id_tokens, and the tool's own AGS and NRPS clients against its token endpoint and
services (what grades and the roster travel through in ``lms-plugin demo``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import requests

from lms_plugin.demo import course
from lms_plugin.demo.claims import AGS_SCOPE, NRPS_SCOPE
from lms_plugin.demo.config import read_config, write_config
from lms_plugin.demo.tokens import ASSERTION_TYPE, OAuthError, TokenService
from lms_plugin.lti.ags import Score
from lms_plugin.lti.keys import new_private_key_pem
from lms_plugin.lti.service_client import AgsError
from tests.support.practice_lms import (
    autopost_form,
    launch_as,
    register_practice_lms,
    served_practice_lms,
)
from tests.support.processes import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def practice(tool, tmp_path):
    with served_practice_lms(tmp_path, tool.url) as (config, app):
        register_practice_lms(tool, config)
        yield config, app


def test_a_learner_launches_from_the_practice_lms(tool, practice, browser):
    config, _ = practice
    opened = launch_as(browser, config, "sam")
    assert opened.status_code == 200, opened.text
    me = browser.get(tool.url + "/api/v1/me", params={"lh": opened.url.split("lh=")[1]}).json()
    assert me["user"]["name"] == "Sam Rivera"
    assert me["access"] == "learner"
    assert me["context"]["title"] == course.COURSE_TITLE


def test_the_instructor_launch_opens_instructor_pages(tool, practice, browser):
    config, _ = practice
    opened = launch_as(browser, config, "ines")
    assert opened.status_code == 200, opened.text
    handle = opened.url.split("lh=")[1]
    assert browser.get(tool.url + "/instructor/cohort", params={"lh": handle}).status_code == 200


def test_the_lms_administrator_opens_this_platforms_administration(tool, practice, browser):
    config, _ = practice
    opened = launch_as(browser, config, "ada")  # site admin roles, no role in the course
    assert opened.status_code == 200, opened.text
    handle = {"lh": opened.url.split("lh=")[1]}
    assert browser.get(tool.url + "/api/v1/me", params=handle).json()["access"] == "admin"
    assert "Administration" in opened.text  # the instructor home's way to the admin pages
    admin = browser.get(tool.url + "/admin/", params=handle)
    assert admin.status_code == 200 and course.PLATFORM_NAME in admin.text
    assert course.DEPLOYMENT_ID in admin.text


def test_the_id_token_verifies_with_the_published_keys(tool, practice, browser):
    config, _ = practice
    browser.get(config.lms_url + "/as/mia")
    nonce = uuid.uuid4().hex
    page = browser.get(config.auth_url, params=_auth_request(config, "mia", nonce))
    _, fields = autopost_form(page.text)
    keys = jwt.PyJWKClient(config.jwks_url)
    key = keys.get_signing_key_from_jwt(fields["id_token"])
    claims = jwt.decode(
        fields["id_token"], key.key, algorithms=["RS256"], audience=config.client_id
    )
    assert (claims["iss"], claims["sub"], claims["nonce"]) == (config.issuer, "mia", nonce)


def _auth_request(config, sub, nonce="n-1", **changes):
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": config.client_id,
        "redirect_uri": config.launch_url,
        "login_hint": sub,
        "lti_message_hint": course.LINK_ID,
        "state": "s-1",
        "nonce": nonce,
    }
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"redirect_uri": "http://127.0.0.1:9/lti/launch"}, "redirect_uri"),
        ({"client_id": "someone-else"}, "client_id"),
        ({"response_type": "code"}, "response_type"),
        ({"nonce": None}, "nonce is missing"),
        ({"lti_message_hint": "other-activity"}, "lti_message_hint"),
        ({"login_hint": "lea"}, "not the person signed in"),  # signed in as mia
        ({"login_hint": "nico"}, "not the person signed in"),  # kept as never launched
    ],
)
def test_the_authorization_endpoint_refuses_what_no_lms_would_answer(
    practice, browser, changes, said
):
    config, _ = practice
    browser.get(config.lms_url + "/as/mia")
    page = browser.get(config.auth_url, params=_auth_request(config, "mia", **changes))
    assert page.status_code == 400
    assert said in page.text and 'name="id_token"' not in page.text


def test_only_its_own_address_is_served(practice):
    config, _ = practice
    assert requests.get(config.lms_url + "/", timeout=5).status_code == 200
    rebound = requests.get(config.lms_url + "/as/ines", headers={"Host": "evil.example"}, timeout=5)
    assert rebound.status_code == 400 and "practice_lms" not in rebound.headers.get(
        "Set-Cookie", ""
    )


def test_no_id_token_without_signing_in_to_the_practice_lms(practice, browser):
    config, _ = practice
    page = browser.get(config.auth_url, params=_auth_request(config, "sam"))
    assert page.status_code == 400 and 'name="id_token"' not in page.text


def _clients(tool, config):
    """The tool's own AGS and NRPS clients for the practice LMS's registration."""
    from lms_plugin.db import db
    from lms_plugin.db.models import Registration
    from lms_plugin.lti.clients import ags_client, nrps_client

    registration = db.session.query(Registration).filter_by(issuer=config.issuer).one()
    ports = {
        "session": db.session(),
        "store": tool.app.extensions["lms_store"],
        "http": tool.app.extensions["lms_http"],
        "timeout": 5.0,
        "require_https": False,
    }
    return ags_client(registration, **ports), nrps_client(registration, **ports)


def test_the_tools_clients_get_the_roster_and_send_scores(tool, practice):
    config, app = practice
    book = app.extensions["practice"]["book"]
    with tool.app.app_context():
        ags, nrps = _clients(tool, config)
        members = {m.user_id: m for m in nrps.members(config.memberships_url())}
        assert set(members) == {p.sub for p in course.PEOPLE if p.enrolled}
        assert "ada" not in members  # the site administrator is not enrolled
        assert members["nico"].name == "Nico Rossi" and members["ines"].roles == (
            course.INSTRUCTOR,
        )
        made = ags.create_lineitem(
            config.lineitems_url(),
            label="Module 1",
            score_maximum=100,
            resource_id="l1-m1",
            tag="module",
            resource_link_id=course.LINK_ID,
        )
        assert (
            ags.find_lineitem(
                config.lineitems_url(), resource_id="l1-m1", resource_link_id=course.LINK_ID
            )
            == made
        )
        now = datetime.now(UTC)
        ags.post_score(made, Score("lea", 90.0, 100.0, now, comment="Quiz 90% passed"))
        with pytest.raises(AgsError) as earlier:  # AGS §3.4.1: timestamps only move forward
            ags.post_score(made, Score("lea", 80.0, 100.0, now - timedelta(seconds=1)))
    assert earlier.value.lms_status == 409
    scores = {(n, user): s for (n, user), s in book.scores.items()}
    number = int(made.rsplit("/", 1)[1])
    assert scores[(number, "lea")].score_given == 90.0
    assert scores[(number, "lea")].comment == "Quiz 90% passed"


def test_services_need_a_token_with_their_scope(tool, practice):
    config, _ = practice
    assert requests.get(config.memberships_url(), timeout=5).status_code == 401
    pem = new_private_key_pem()  # a key the tool never published
    forged = _assertion(config, pem, "forged")
    refused = requests.post(config.token_url, data=_grant(forged, NRPS_SCOPE), timeout=5)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    with tool.app.app_context():
        token = _tool_token(tool, config, AGS_SCOPE + "score")
    nrps = requests.get(
        config.memberships_url(), headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert nrps.status_code == 403 and nrps.json()["error"] == "insufficient_scope"


def _tool_token(tool, config, scope):
    """A token the tool's real client assertion earns (its active key, its JWKS over HTTP)."""
    from lms_plugin.db import db
    from lms_plugin.db.models import ToolKey
    from lms_plugin.lti.service_token import client_assertion

    key = db.session.query(ToolKey).filter_by(state="active").one()
    assertion = client_assertion(config.client_id, config.token_url, key.kid, key.private_key_pem)
    answer = requests.post(config.token_url, data=_grant(assertion, scope), timeout=5)
    assert answer.status_code == 200, answer.text
    again = requests.post(config.token_url, data=_grant(assertion, scope), timeout=5)
    assert again.status_code == 401 and "jti" in again.json()["error_description"]
    return answer.json()["access_token"]


def _grant(assertion, scope):
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": scope,
    }


def _assertion(config, pem, kid):
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": config.client_id,
        "sub": config.client_id,
        "aud": config.token_url,
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})


def test_a_tool_not_answering_yet_is_a_503_to_retry(tmp_path):
    """demo starts the worker beside the web: a token asked before the tool's JWKS answers is
    'try again', so the scores wait and are sent, not failed."""
    closed = f"http://127.0.0.1:{free_port()}"
    config = read_config(write_config(tmp_path, "http://127.0.0.1:9", closed))
    pem = new_private_key_pem()
    with pytest.raises(OAuthError) as refused:
        keys = jwt.PyJWKClient(config.tool_jwks_url, timeout=5)
        TokenService(config, keys).grant(_grant(_assertion(config, pem, "k1"), NRPS_SCOPE))
    assert (refused.value.status, refused.value.error) == (503, "temporarily_unavailable")
