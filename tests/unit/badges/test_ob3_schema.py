"""Signed level credentials against 1EdTech's OB 3.0 JSON Schema of the AchievementCredential
(tests/fixtures/ob3/SOURCES.md); the credentials issued on PostgreSQL are checked in
tests/integration/test_credential_schema.py."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms_plugin.domain.credentials import build_credential
from tests.support.badges import load_vector, make_data, sign
from tests.support.ob3_schema import canonical_form, schema_errors

KEY = Ed25519PrivateKey.from_private_bytes(b"\x0b" * 32)

VARIANTS = {
    "everything": {},
    "no-email": {"email_identity": None},
    "valid-until": {"valid_until": datetime(2029, 2, 1, tzinfo=UTC)},
    "no-results-or-evidence": {"results": (), "evidence": ()},
    "no-status": {"status": None},
}


@pytest.mark.parametrize("changes", VARIANTS.values(), ids=VARIANTS.keys())
def test_signed_level_credentials_conform_as_signed(changes: dict[str, Any]):
    signed = sign(build_credential(make_data(**changes)), KEY)
    assert schema_errors(signed) == []  # unchanged: proof is an array, as the schema wants


def test_a_compacted_proof_object_would_be_the_one_departure_from_the_schema():
    signed = sign(build_credential(make_data()), KEY)
    [error] = schema_errors(signed | {"proof": signed["proof"][0]})
    assert error.startswith("/proof: ")  # why the tool writes the proof as a set of one


def test_1edtechs_own_signed_vector_departs_the_same_way_and_no_other():
    vector = load_vector("1edtech-ob3-eddsa-test-vector.json")
    assert [e.split(":")[0] for e in schema_errors(vector)] == ["/proof"]
    assert schema_errors(canonical_form(vector)) == []


def _without(path: tuple[str, ...]) -> Any:
    def change(credential: dict[str, Any]) -> None:
        target = credential
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


def _setting(path: tuple[str, ...], value: Any) -> Any:
    def change(credential: dict[str, Any]) -> None:
        target = credential
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


BROKEN = {
    "no-validFrom": (_without(("validFrom",)), "/: 'validFrom' is a required property"),
    "contexts-swapped": (
        lambda c: c["@context"].reverse(),
        "/@context/0: 'https://purl.imsglobal.org",
    ),
    "impossible-date": (
        _setting(("validFrom",), "2026-02-30T09:30:00Z"),
        "/validFrom: '2026-02-30T09:30:00Z' is not a 'date-time'",
    ),
    "no-badge-type": (_setting(("type",), ["VerifiableCredential"]), "/type: "),
    "no-achievement": (
        _without(("credentialSubject", "achievement")),
        "/credentialSubject: 'achievement' is a required property",
    ),
    "alignment-without-url": (
        _without(("credentialSubject", "achievement", "alignment", 0, "targetUrl")),
        "/credentialSubject/achievement/alignment/0: 'targetUrl' is a required property",
    ),
}


@pytest.mark.parametrize(("change", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_the_schema_check_catches_what_it_should(change: Any, expected: str):
    credential = sign(build_credential(make_data()), KEY)
    broken = copy.deepcopy(credential)
    change(broken)
    errors = schema_errors(broken)
    assert any(error.startswith(expected) for error in errors), errors
