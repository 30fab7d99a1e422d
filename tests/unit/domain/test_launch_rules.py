from __future__ import annotations

from typing import Any

import pytest

from lms_plugin.domain import launch as rules
from lms_plugin.domain.errors import LaunchError
from lms_plugin.domain.roles import LIS

C = rules.CLAIM
NOW = 1_800_000_000.0
POLICY = rules.TimePolicy(leeway_seconds=5, max_age_seconds=300)


def make_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": "https://lms",
        "aud": "tool",
        "sub": "u1",
        "iat": NOW,
        "exp": NOW + 60,
        "nonce": "n1",
        C + "version": "1.3.0",
        C + "message_type": rules.RESOURCE_LINK,
        C + "deployment_id": "d1",
        C + "roles": [LIS + "membership#Learner"],
        C + "resource_link": {"id": "rl1"},
        C + "target_link_uri": "https://tool.example/lti/launch",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def check(claims: dict[str, Any]) -> rules.LaunchContext:
    return rules.check_message(
        claims,
        client_id="tool",
        tool_url="https://tool.example",
        allowed_message_types=frozenset({rules.RESOURCE_LINK}),
    )


@pytest.mark.parametrize(
    "aud, azp, code",
    [
        ("other", None, "aud_mismatch"),
        (["other"], None, "aud_mismatch"),
        (["tool", "other"], None, "azp_mismatch"),
        (["tool", "other"], "other", "azp_mismatch"),
        ("tool", "other", "azp_mismatch"),
        (None, None, "aud_mismatch"),
    ],
)
def test_audience_refusals(aud, azp, code):
    with pytest.raises(LaunchError) as err:
        rules.check_audience(make_claims(aud=aud, azp=azp), "tool")
    assert err.value.code == code


@pytest.mark.parametrize("aud, azp", [("tool", None), (["tool"], None), (["x", "tool"], "tool")])
def test_audience_accepted(aud, azp):
    rules.check_audience(make_claims(aud=aud, azp=azp), "tool")


@pytest.mark.parametrize(
    "iat, exp, code",
    [
        (NOW - 100, NOW - 6, "token_expired"),
        (NOW + 6, NOW + 60, "token_not_yet_valid"),
        (NOW - 306, NOW + 60, "token_too_old"),
        ("soon", NOW + 60, "claim_malformed"),
    ],
)
def test_time_refusals(iat, exp, code):
    with pytest.raises(LaunchError) as err:
        rules.check_times(make_claims(iat=iat, exp=exp), NOW, POLICY)
    assert err.value.code == code


@pytest.mark.parametrize("iat, exp", [(NOW, NOW + 1), (NOW + 4, NOW - 4), (NOW - 304, NOW)])
def test_times_within_leeway_pass(iat, exp):
    rules.check_times(make_claims(iat=iat, exp=exp), NOW, POLICY)


def test_nonce_must_match_the_bound_one():
    assert rules.check_nonce(make_claims(), "n1") == "n1"
    with pytest.raises(LaunchError, match="not issued for this login"):
        rules.check_nonce(make_claims(), "n2")


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({C + "version": "1.1.0"}, "version_unsupported"),
        ({C + "message_type": "LtiDeepLinkingRequest"}, "message_type_not_allowed"),
        ({"sub": ""}, "sub_missing"),
        ({C + "roles": None}, "roles_missing"),
        ({C + "roles": [1]}, "claim_malformed"),
        ({C + "deployment_id": None}, "deployment_missing"),
        ({C + "resource_link": {}}, "resource_link_missing"),
        ({C + "resource_link": "rl1"}, "claim_malformed"),
        ({C + "target_link_uri": "https://tool.example.evil.com/lti"}, "target_link_foreign"),
        ({C + "target_link_uri": None}, "target_link_foreign"),
    ],
)
def test_message_refusals(overrides, code):
    with pytest.raises(LaunchError) as err:
        check(make_claims(**overrides))
    assert err.value.code == code


def test_message_builds_context():
    context = check(
        make_claims(
            **{
                C + "context": {"id": "c1", "title": "Course"},
                C + "custom": {"module": "l1-m1"},
                "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                    "lineitem": "https://l/1"
                },
            }
        )
    )
    assert (context.context_id, context.context_title, context.resource_link_id) == (
        "c1",
        "Course",
        "rl1",
    )
    assert context.custom == {"module": "l1-m1"}
    assert context.ags == {"scope": [], "lineitem": "https://l/1", "lineitems": None}
    assert context.access.value == "learner"


def test_every_launch_error_code_has_a_4xx_status():
    from lms_plugin.domain.errors import LAUNCH_ERRORS

    assert all(400 <= status < 500 for status, _, _ in LAUNCH_ERRORS.values())


def test_identifiers_longer_than_255_characters_are_refused_and_text_is_shortened():
    assert check(make_claims(sub="s" * rules.ID_MAX)).sub == "s" * rules.ID_MAX
    for claims in (
        {"sub": "s" * (rules.ID_MAX + 1)},
        {C + "deployment_id": "d" * (rules.ID_MAX + 1)},
        {C + "context": {"id": "c" * (rules.ID_MAX + 1)}},
        {C + "resource_link": {"id": "r" * (rules.ID_MAX + 1)}},
    ):
        with pytest.raises(LaunchError) as refused:
            check(make_claims(**claims))
        assert refused.value.code == "claim_malformed"
    long = check(make_claims(name="n" * 10_000, email="e" * 10_000))
    assert long.name == "n" * rules.TEXT_MAX and long.email is None
