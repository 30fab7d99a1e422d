"""The reads a launch names before its token is verified: any claims at all, however malformed,
give either the reads or none (the checks after the signature then say what is wrong), never
an exception (which would be a 500 instead of a clear refusal). And what is refused before
anything is read: a token too large, not a compact JWS, not RS256, or naming no key."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from lms_plugin.domain.errors import LaunchError
from lms_plugin.domain.launch import RESOURCE_LINK, TimePolicy
from lms_plugin.kv import Add
from lms_plugin.lti.launch import LaunchPolicy, _read_ahead, _read_token
from lms_plugin.lti.tenants import TenantDirectory

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
TOOL = "https://tool.example"
POLICY = LaunchPolicy(TOOL, TimePolicy(5, 300), frozenset({RESOURCE_LINK}))
GOOD: dict[str, Any] = {
    "iss": "https://lms.example",
    "aud": "client-1",
    "sub": "user-1",
    "nonce": "nonce-1",
    CLAIM + "version": "1.3.0",
    CLAIM + "message_type": RESOURCE_LINK,
    CLAIM + "deployment_id": "dep-1",
    CLAIM + "roles": [],
    CLAIM + "resource_link": {"id": "link-1"},
    CLAIM + "target_link_uri": TOOL + "/lti/launch",
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _part(value: Any) -> str:
    return _b64(json.dumps(value).encode())


def _token(payload: Any, header: Any = None) -> str:
    return f"{_part(header or {'alg': 'RS256', 'kid': 'k'})}.{_part(payload)}.c2ln"


def _ahead(payload: Any, state: str = "state-7.abc"):
    tenants = TenantDirectory(store=None)  # type: ignore[arg-type]  # names keys, no I/O
    claims = _read_token(_token(payload), 65536).claims
    return _read_ahead(state, claims, POLICY, tenants, lambda r, c: ["rows"], 310)


def test_well_formed_claims_name_the_tenant_rows_and_nonce_reads():
    ahead = _ahead(GOOD)
    assert ahead is not None and ahead.registration_id == 7
    assert ahead.context.deployment_id == "dep-1" and ahead.nonce == "nonce-1"
    assert ahead.ops[-1] == Add("lti-nonce:nonce-1", "1", 310)


@pytest.mark.parametrize(
    "change",
    [
        {"aud": []},
        {"aud": 7},
        {"aud": [7]},
        {"aud": None},
        {"azp": ["client-1"]},
        {"nonce": 5},
        {"nonce": ""},
        {CLAIM + "deployment_id": ["x"]},
        {CLAIM + "roles": "Learner"},
        {CLAIM + "message_type": None},
        {CLAIM + "resource_link": "link-1"},
    ],
)
def test_malformed_claims_name_no_reads(change):
    assert _ahead({**GOOD, **change}) is None


def _refusal(token: str, max_bytes: int = 65536) -> str:
    with pytest.raises(LaunchError) as refused:
        _read_token(token, max_bytes)
    return refused.value.code


@pytest.mark.parametrize("payload", [[], "text", 5, None])
def test_a_payload_that_is_not_an_object_is_malformed(payload):
    assert _refusal(_token(payload)) == "id_token_malformed"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b",
        "a.b.c.d",
        "é.b.c",
        _token(GOOD).replace(".c2ln", ".c2l+"),  # '+' is base64, not base64url (RFC 7515 §2)
        _token(GOOD).replace(".c2ln", ".a"),  # a length no base64 has
        _token(GOOD).replace(".c2ln", ".c3"),  # not the canonical form of its byte (RFC 4648 §3.5)
        _token(GOOD).replace(".c2ln", ".c2ln===="),  # more padding than base64 ever has
        _b64(b"[1]") + "." + _part(GOOD) + ".c2ln",  # the header is not an object
        _b64(b"\xff\xfe") + "." + _part(GOOD) + ".c2ln",  # the header is not UTF-8 JSON
        _b64(b"[" * 20_000) + "." + _part(GOOD) + ".c2ln",  # nested beyond recursion
        _token(GOOD, {"alg": "RS256", "kid": 7}),  # a kid is a string (RFC 7515 §4.1.4)
    ],
)
def test_what_is_not_a_compact_jws_is_malformed(token):
    assert _refusal(token) == "id_token_malformed"


@pytest.mark.parametrize(
    "header, code",
    [
        ({"alg": "none", "kid": "k"}, "alg_not_allowed"),
        ({"alg": "HS256", "kid": "k"}, "alg_not_allowed"),
        ({"alg": "RS512", "kid": "k"}, "alg_not_allowed"),
        ({"kid": "k"}, "alg_not_allowed"),
        ({"alg": "RS256"}, "kid_missing"),
        ({"alg": "RS256", "kid": ""}, "kid_missing"),
    ],
)
def test_only_rs256_naming_its_key_is_read(header, code):
    assert _refusal(_token(GOOD, header)) == code


def test_size_is_checked_before_anything_is_parsed():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode({**GOOD, "pad": "x" * 1000}, key, algorithm="RS256", headers={"kid": "k"})
    size = len(token)
    assert _read_token(token, size).kid == "k"  # exactly the limit is accepted
    assert _refusal(token, size - 1) == "id_token_too_large"
    assert _refusal("é" * size, size) == "id_token_too_large"  # bytes, not characters
    assert _refusal("not a token at all" * 100, 100) == "id_token_too_large"


@pytest.mark.parametrize(
    "state", ["state-abc", "state-.x", "state-x7.y", "state-" + "9" * 20 + ".y"]
)
def test_a_state_that_names_no_registration_names_no_reads(state):
    assert _ahead(GOOD, state) is None
