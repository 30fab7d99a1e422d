"""The OIDC login's own parts: every parameter capped in UTF-8 bytes before anything else, the
authentication request it redirects to (Security Framework §5.1.1.2), and a lean state record
that gives back exactly the login parameters a new window needs."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from lms_plugin.domain.errors import LaunchError
from lms_plugin.lti.launch_state import (
    BoundState,
    PlatformStorage,
    bound,
    new_state,
    registration_named_by,
    save_state,
)
from lms_plugin.lti.login import _authentication_request, check_sizes
from lms_plugin.lti.tenants import RegistrationInfo

CAP = 16


@pytest.mark.parametrize(
    "params",
    [
        {"login_hint": "x" * CAP},
        {"login_hint": "é" * (CAP // 2)},  # 2 bytes each: exactly the cap
        {"iss": "https://a.b", "lti_message_hint": ""},
    ],
)
def test_parameters_within_the_cap_pass(params):
    check_sizes(params, CAP)


@pytest.mark.parametrize(
    "params",
    [
        {"login_hint": "x" * (CAP + 1)},
        {"lti_message_hint": "é" * (CAP // 2 + 1)},  # short in characters, long in bytes
        {"target_link_uri": "🙂" * 5},  # 4 bytes each
        {"x" * (CAP + 1): "1"},  # a parameter's name counts too
        {"login_hint": "\ud800" * CAP},  # a lone surrogate is counted, not a crash
    ],
)
def test_a_parameter_over_the_cap_is_refused(params):
    with pytest.raises(LaunchError) as refused:
        check_sizes(params, CAP)
    assert refused.value.code == "login_param_too_long" and refused.value.status == 400


REGISTRATION = RegistrationInfo(
    id=7,
    name="LMS",
    issuer="https://lms.example",
    client_id="client-1",
    auth_login_url="https://lms.example/auth?tenant=a",
    auth_token_url="https://lms.example/token",
    jwks_url="https://lms.example/jwks",
    product="other",
    active=True,
)


def test_the_authentication_request_names_what_oidc_and_lti_ask_for():
    params = {"login_hint": "u&1", "lti_message_hint": "m=2"}
    url = _authentication_request(REGISTRATION, params, "https://tool.example/", "st", "no")

    parts = urlsplit(url)
    assert url.startswith("https://lms.example/auth?tenant=a&")  # its own query is kept
    assert {k: v for k, v in parse_qs(parts.query).items()} == {
        "tenant": ["a"],
        "scope": ["openid"],
        "response_type": ["id_token"],
        "response_mode": ["form_post"],
        "prompt": ["none"],
        "client_id": ["client-1"],
        "redirect_uri": ["https://tool.example/lti/launch"],
        "state": ["st"],
        "nonce": ["no"],
        "login_hint": ["u&1"],
        "lti_message_hint": ["m=2"],
    }


def test_a_state_names_its_registration():
    state = new_state(42)
    assert state.startswith("state-42.") and registration_named_by(state) == 42
    assert new_state(42) != state


def test_the_state_record_gives_back_the_restart_parameters_exactly_and_stays_lean():
    restart = {"login_hint": "a+b &c=d", "lti_message_hint": "é" * 100, "iss": "https://x"}
    record = BoundState(
        nonce="n",
        registration_id=7,
        issuer="https://x",
        client_id="c",
        jwks_url="https://x/jwks",
        restart=restart,
        storage=PlatformStorage("frame", "https://x"),
    )

    write = save_state("state-7.x", record, 600)

    assert write.key == "lti-state:state-7.x" and write.ttl == 600
    assert bound(write.value) == record
    restart_bytes = sum(len(k) + len(v.encode()) for k, v in restart.items())
    assert len(write.value.encode()) <= 3 * restart_bytes + 200
    assert "target_link_uri" not in json.loads(write.value)  # nothing the launch does not use
