"""The reads a launch names before its token is verified: any claims at all, however malformed,
give either the reads or none (the checks after the signature then say what is wrong), never
an exception (which would be a 500 instead of a clear refusal)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from lms_plugin.domain.launch import RESOURCE_LINK, TimePolicy
from lms_plugin.kv import Add
from lms_plugin.lti.launch import LaunchPolicy, _read_ahead
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


def _token(payload: Any) -> str:
    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'k'})}.{part(payload)}.c2ln"


def _ahead(payload: Any, state: str = "state-7.abc"):
    tenants = TenantDirectory(store=None)  # type: ignore[arg-type]  # names keys, no I/O
    return _read_ahead(state, _token(payload), POLICY, tenants, lambda r, c: ["rows"], 310)


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


@pytest.mark.parametrize("payload", [[], "text", 5, None])
def test_a_payload_that_is_not_an_object_names_no_reads(payload):
    assert _ahead(payload) is None


@pytest.mark.parametrize(
    "state", ["state-abc", "state-.x", "state-x7.y", "state-" + "9" * 20 + ".y"]
)
def test_a_state_that_names_no_registration_names_no_reads(state):
    assert _ahead(GOOD, state) is None
