"""Each LMS's documented launch shape replayed through the real launch path (login, the
platform's authorization endpoint over HTTP, the signed id_token, the tool's checks), and each
platform's typical attack refused. The LMS is the suite's test platform dressed as each product:
its issuer, client id, deployment ids, subs, roles and extra claims are the product's.

Shapes: Canvas (lti_launch_overview; lti1p1 and lti11_legacy_user_id; login parameters
canvas_region, canvas_environment, lti_storage_target), Moodle (mod/lti: numeric sub and tool
type deployment, ext claim), Brightspace (GUID sub and deployment, its own claim, aud as a list
with azp, a rotated key), Blackboard Learn (one issuer and one client id for every institution;
Anthology's sample launch), Sakai (SakaiLTIUtil: a <server>/user/<id> sub, the server's
deployment id 1, short role names beside the URIs), Schoology (its ids' form is not documented;
docs/platforms.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from lms_plugin.services.platforms import PlatformSpec, add_platform
from lms_plugin.web import deps
from tests.support.launch_flow import full_launch, start_login
from tests.support.lti_platform import CLAIM, LIS, LmsPlatform, SigningKey

pytestmark = pytest.mark.integration

LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
STUDENT = LIS + "institution/person#Student"
USER = LIS + "system/person#User"

PROFILES: dict[str, dict[str, Any]] = {
    "canvas": {
        "issuer": "https://canvas.instructure.com",
        "client_id": "10000000000042",
        "deployment_id": "12:8865aa05b4b79b64a91a86042e43af5ea8ae79eb",
        "sub": "d527abb3-294a-4afa-a204-9737e00aab3e",
        "roles": [STUDENT, LEARNER, USER],
        "claims": {
            CLAIM + "lti1p1": {"user_id": "535fa085f22b4655f48cd5a36a9215f64c062838"},
            CLAIM + "lti11_legacy_user_id": "535fa085f22b4655f48cd5a36a9215f64c062838",
            CLAIM + "tool_platform": {"product_family_code": "canvas", "version": "cloud"},
            "https://www.instructure.com/placement": "link_selection",
            CLAIM + "launch_presentation": {"document_target": "iframe", "locale": "en"},
            "locale": "en",
        },
        "login": {"canvas_region": "us-east-1", "canvas_environment": "prod"},
    },
    "moodle": {
        "issuer": "https://moodle.example.edu",
        "client_id": "eGRt9ZxvJvOq3Nb",
        "deployment_id": "3",
        "sub": "27",
        "roles": [LEARNER],
        "claims": {
            CLAIM + "ext": {"user_username": "lena", "lms": "moodle-2"},
            CLAIM + "lis": {"person_sourcedid": "", "course_section_sourcedid": ""},
            CLAIM + "tool_platform": {"product_family_code": "moodle", "version": "2024100700"},
        },
    },
    "brightspace": {
        "issuer": "https://school.brightspace.com",
        "client_id": "6b0f5c44-8a1e-4d6f-9a0b-1c2d3e4f5a6b",
        "deployment_id": "9be0fb90-f05d-4877-baf4-3b5b604d96db",
        "sub": "7d90e6c1-9fb2-4f64-b11e-92fa188bb162_169",
        "roles": [STUDENT, LEARNER],
        "claims": {
            "http://www.brightspace.com": {"tenant_id": "7d90e6c1", "user_id": 169},
            CLAIM + "tool_platform": {"product_family_code": "desire2learn"},
        },
        "aud_list": True,
    },
    "blackboard": {
        "issuer": "https://blackboard.com",
        "client_id": "f6d5c4b3-a2b1-4c0d-9e8f-7a6b5c4d3e2f",
        "deployment_id": "2a6f1f4c-0c9e-4f5b-8a3d-1b2c3d4e5f60",
        "sub": "a1b2c3d4e5f64718293a4b5c6d7e8f90",
        "roles": [LEARNER, LIS + "institution/person#Student", USER],
        "claims": {
            "https://blackboard.com/lti/claim/one_time_session_token": "abc123,def456",
            CLAIM + "tool_platform": {"product_family_code": "BlackboardLearn"},
        },
    },
    "sakai": {
        "issuer": "https://sakai.example.edu",
        "client_id": "2f8d0b5a-1c44-4a3e-8f26-0d7c5b9a1e33",
        "deployment_id": "1",
        "sub": "https://sakai.example.edu/user/b7e1c0f2-5a2d-4e8b-9c61-3f4a2d1e0c9b",
        "roles": ["Learner", LEARNER],
        "claims": {CLAIM + "tool_platform": {"product_family_code": "sakai"}},
    },
    "schoology": {
        "issuer": "https://schoology.schoology.com",
        "client_id": "5311234567",
        "deployment_id": "5311234567-2098765432",
        "sub": "98765432",
        "roles": [LEARNER],
        "claims": {CLAIM + "tool_platform": {"product_family_code": "schoology"}},
    },
}


@pytest.fixture(params=list(PROFILES))
def lms(request, tool) -> Iterator[tuple[str, LmsPlatform]]:
    """The test LMS dressed as one product, registered as an admin would with --product."""
    product = request.param
    shape = PROFILES[product]
    lms = LmsPlatform(
        issuer=shape["issuer"], client_id=shape["client_id"], deployment_id=shape["deployment_id"]
    )
    lms.tool_url = tool.url
    lms.users.clear()
    lms.add_user(shape["sub"], "Lena Learner", shape["roles"])
    lms.add_user("teacher-" + product, "Theo Teacher", [INSTRUCTOR])
    lms.start()
    register(tool, lms, product)
    yield product, lms
    lms.stop()


def register(tool, lms: LmsPlatform, product: str, *deployments: str) -> None:
    with tool.app.app_context():
        from lms_plugin.db import db

        args = {**lms.registration_args(), "product": product}
        args["deployment_ids"] = deployments or args["deployment_ids"]
        add_platform(db.session(), deps.tenants(), PlatformSpec(**args))


def launch(
    tool, lms: LmsPlatform, product: str, *, key: SigningKey | None = None, **overrides: Any
) -> requests.Response:
    shape = PROFILES[product]
    claims = dict(shape["claims"])
    if shape.get("aud_list"):
        claims.update(aud=[lms.client_id], azp=lms.client_id)
    claims.update(overrides)
    browser = requests.Session()
    browser.headers["Accept"] = "application/json, text/html;q=0.9"
    auth = start_login(browser, tool.url, lms, login_hint=shape["sub"], **shape.get("login", {}))
    claims = lms.claims(nonce=auth["nonce"], user=lms.users[shape["sub"]], **claims)
    token = lms.id_token(claims, key=key)
    return browser.post(tool.url + "/lti/launch", data={"state": auth["state"], "id_token": token})


def test_each_profiles_launch_is_accepted(tool, lms):
    product, platform = lms
    response = launch(tool, platform, product)

    assert response.status_code == 200, response.text
    assert "Lena Learner" in response.text
    rows = tool.rows(
        "SELECT u.sub, r.product, d.deployment_id, m.access FROM lti_user u"
        " JOIN registration r ON r.id = u.registration_id"
        " JOIN deployment d ON d.registration_id = r.id"
        " JOIN membership m ON m.user_id = u.id"
        f" WHERE r.issuer = '{platform.issuer}'"
    )
    assert rows == [(PROFILES[product]["sub"], product, platform.deployment_id, "learner")]


def test_each_profiles_instructor_opens_the_instructor_pages(tool, lms):
    product, platform = lms
    browser = requests.Session()
    response = full_launch(browser, tool.url, platform, login_hint="teacher-" + product)
    assert response.status_code == 200, response.text
    assert "/instructor/" in response.url


# --- each platform's typical attack -----------------------------------------------------------
@pytest.mark.parametrize("lms", ["canvas"], indirect=True)
def test_canvas_token_for_another_canvas_customer_is_refused(tool, lms):
    """Every Canvas cloud customer shares the issuer and the signing keys: a genuine Canvas
    token addressed to another institution's developer key must not open this one."""
    product, platform = lms
    response = launch(tool, platform, product, aud="10000000000999")
    assert response.status_code == 401 and response.json()["error"] == "aud_mismatch"


def test_a_deployment_not_trusted_is_recorded_and_refused(tool, lms):
    """Blackboard and Schoology: one client id for every institution (Canvas: every sub-account
    placing the key): an institution the admin has not activated cannot launch."""
    product, platform = lms
    other = "other-institution-" + uuid.uuid4().hex[:6]
    response = launch(tool, platform, product, **{CLAIM + "deployment_id": other})
    assert response.status_code == 403 and response.json()["error"] == "deployment_pending"
    assert tool.rows(f"SELECT status FROM deployment WHERE deployment_id = '{other}'") == [
        ("pending",)
    ]


def test_a_token_from_another_lms_on_the_same_issuer_form_is_refused(tool, lms):
    """Moodle, Brightspace, Sakai: the issuer is the site's own URL; a token another site
    issued for a login this tool started with this one is refused."""
    product, platform = lms
    response = launch(tool, platform, product, iss=platform.issuer + ".evil.example")
    assert response.status_code == 401 and response.json()["error"] == "issuer_mismatch"


@pytest.mark.parametrize("lms", ["brightspace"], indirect=True)
def test_brightspace_rotated_key_is_followed_and_an_unpublished_key_refused(tool, lms):
    product, platform = lms
    assert launch(tool, platform, product).status_code == 200  # its JWKS is now cached
    platform.rotate_key()  # a new kid: the tool refetches the JWKS once and follows it
    assert launch(tool, platform, product).status_code == 200
    forged = launch(tool, platform, product, key=SigningKey.rsa())  # a key it never published
    assert forged.status_code == 401 and forged.json()["error"] == "unknown_kid"


@pytest.mark.parametrize("lms", ["moodle"], indirect=True)
def test_moodle_numeric_sub_of_another_user_cannot_be_smuggled_by_another_moodle(tool, lms):
    """Two Moodle sites both have a user 27: each is its own person (users per registration)."""
    product, platform = lms
    assert launch(tool, platform, product).status_code == 200
    second = LmsPlatform(issuer="https://moodle.other.edu", deployment_id="3")
    second.tool_url = tool.url
    second.users.clear()
    second.add_user("27", "Someone Else", [LEARNER])
    second.start()
    try:
        register(tool, second, "moodle")
        assert launch(tool, second, product).status_code == 200
    finally:
        second.stop()
    assert tool.rows("SELECT count(*) FROM lti_user WHERE sub = '27'") == [(2,)]


# --- LTI 1.1 -> 1.3 migration: the learner keeps their identity -------------------------------
LEGACY = "535fa085f22b4655f48cd5a36a9215f64c062838"


@pytest.mark.parametrize("lms", ["canvas"], indirect=True)
def test_a_learner_from_a_1p1_link_keeps_their_row_and_work(tool, lms):
    product, platform = lms
    # The person's row as it was made in 1.1 terms: their sub was the 1.1 user_id.
    platform.add_user(LEGACY, "Lena Learner", PROFILES["canvas"]["roles"])
    first = launch_as(tool, platform, LEGACY, {CLAIM + "lti1p1": None})
    assert first.status_code == 200, first.text
    (row,) = tool.rows(f"SELECT id FROM lti_user WHERE sub = '{LEGACY}'")

    again = launch(tool, platform, product)  # the 1.3 sub, with lti1p1.user_id = LEGACY

    assert again.status_code == 200, again.text
    assert tool.rows("SELECT id, sub, lti1p1_user_id FROM lti_user") == [
        (row[0], PROFILES["canvas"]["sub"], LEGACY)
    ]


@pytest.mark.parametrize("lms", ["canvas"], indirect=True)
def test_a_recorded_1p1_id_follows_a_changed_sub_but_nothing_crosses_platforms(tool, lms):
    product, platform = lms
    assert launch(tool, platform, product).status_code == 200  # records LEGACY on the row
    (row,) = tool.rows("SELECT id FROM lti_user")
    platform.add_user("new-sub", "Lena Learner", PROFILES["canvas"]["roles"])
    assert launch_as(tool, platform, "new-sub", {}).status_code == 200
    assert tool.rows("SELECT id, sub FROM lti_user ORDER BY id") == [(row[0], "new-sub")]

    # Another platform whose learner claims the same 1.1 id gets a row of their own.
    other = LmsPlatform(issuer="https://canvas.school.edu", deployment_id="d-1")
    other.tool_url = tool.url
    other.users.clear()
    other.add_user("stranger", "Sam Stranger", [LEARNER])
    other.start()
    try:
        register(tool, other, "canvas")
        response = launch_as(tool, other, "stranger", {CLAIM + "lti1p1": {"user_id": LEGACY}})
        assert response.status_code == 200, response.text
    finally:
        other.stop()
    assert tool.rows("SELECT sub FROM lti_user ORDER BY id") == [("new-sub",), ("stranger",)]


@pytest.mark.parametrize("lms", ["canvas"], indirect=True)
def test_a_row_with_another_recorded_1p1_id_is_not_taken(tool, lms):
    product, platform = lms
    platform.add_user(LEGACY, "Someone", PROFILES["canvas"]["roles"])
    claims = {
        CLAIM + "lti1p1": {"user_id": "their-own-1p1-id"},
        CLAIM + "lti11_legacy_user_id": None,
    }
    assert launch_as(tool, platform, LEGACY, claims).status_code == 200
    assert launch(tool, platform, product).status_code == 200
    assert tool.count("lti_user") == 2  # the row that is someone else's 1.1 self stays theirs


def launch_as(tool, lms: LmsPlatform, sub: str, claims: dict[str, Any]) -> requests.Response:
    browser = requests.Session()
    browser.headers["Accept"] = "application/json, text/html;q=0.9"
    auth = start_login(browser, tool.url, lms, login_hint=sub)
    base = dict(PROFILES["canvas"]["claims"]) if lms.issuer.startswith("https://canvas") else {}
    token = lms.id_token(lms.claims(nonce=auth["nonce"], user=lms.users[sub], **{**base, **claims}))
    return browser.post(tool.url + "/lti/launch", data={"state": auth["state"], "id_token": token})


def test_canvas_configuration_url_serves_the_tools_own_urls(tool):
    config = requests.get(tool.url + "/lti/config/canvas.json", timeout=5)
    assert config.status_code == 200
    body = config.json()
    assert body["oidc_initiation_url"] == tool.url + "/lti/login"
    keys = requests.get(body["public_jwk_url"], timeout=5)
    assert keys.status_code == 200 and keys.json()["keys"]
