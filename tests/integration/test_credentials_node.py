"""Our credentials against an implementation that shares no code with them: Digital Bazaar's
@digitalbazaar/vc + eddsa-rdfc-2022-cryptosuite + vc-bitstring-status-list in Node, over the same
shipped context files (tests/support/node_verifier.mjs)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms_plugin.badges.canonical import canonicalize
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.profile import profile_resolver
from lms_plugin.badges.status_list import StatusList, status_entry, status_list_credential
from lms_plugin.badges.verify import verify_credential
from lms_plugin.domain.credentials import build_credential
from tests.support.badges import (
    ISSUER_ID,
    NOW,
    load_vector,
    make_credential,
    make_data,
    make_profile,
    sign,
)
from tests.support.node_verifier import node_verify, run_node, verify_request

pytestmark = pytest.mark.integration

SEED = bytes(range(100, 132))
KEY = Ed25519PrivateKey.from_private_bytes(SEED)
NOW_ISO = "2026-03-01T12:00:00Z"
LIST_URL = "https://badges.example.edu/status/1"
INDEX = 90_210


def _status_list(*revoked: int) -> dict[str, Any]:
    status_list = StatusList.empty()
    for index in revoked:
        status_list.set(index)
    # validFrom in the past of the real clock: the Node side checks the list without our `now`
    unsigned = status_list_credential(LIST_URL, ISSUER_ID, status_list, "2024-01-01T00:00:00Z")
    return sign(unsigned, KEY)


def _issued() -> dict[str, Any]:
    return sign(make_credential(credentialStatus=status_entry(LIST_URL, INDEX)), KEY)


def _documents(*revoked: int, key: Ed25519PrivateKey = KEY) -> dict[str, Any]:
    return {ISSUER_ID: make_profile(key), LIST_URL: _status_list(*revoked)}


def test_the_1edtech_vector_verifies_in_node_and_its_tampered_copy_does_not():
    issuer = load_vector("1edtech-test-vector-issuer.json")
    documents = {issuer["id"]: issuer}
    good, bad = run_node(
        [
            verify_request(load_vector("1edtech-ob3-eddsa-test-vector.json"), documents, NOW_ISO),
            verify_request(
                load_vector("1edtech-ob3-eddsa-test-vector-tampered.json"), documents, NOW_ISO
            ),
        ]
    )
    assert good["verified"] is True, good
    assert bad["verified"] is False and "Invalid signature" in bad["error"]


def test_our_credential_verifies_in_node_with_its_status_unset():
    answer = node_verify(_issued(), _documents(), NOW_ISO)
    assert answer["verified"] is True, answer
    assert answer["status"] == [{"verified": True, "status": False}]


def test_a_full_level_credential_verifies_in_node():
    credential = build_credential(make_data(status=status_entry(LIST_URL, INDEX)))
    answer = node_verify(sign(credential, KEY), _documents(INDEX), NOW_ISO)
    assert answer["verified"] is True, answer
    assert answer["status"] == [{"verified": True, "status": True}]


def test_revoking_flips_the_bit_node_reads():
    answer = node_verify(_issued(), _documents(INDEX - 1, INDEX, INDEX + 8), NOW_ISO)
    assert answer["status"] == [{"verified": True, "status": True}]
    neighbours = node_verify(_issued(), _documents(INDEX - 1, INDEX + 1), NOW_ISO)
    assert neighbours["status"] == [{"verified": True, "status": False}]


CHANGES = [
    ("name", "ISP Level 2"),
    ("validFrom", "2026-02-01T09:30:01Z"),
    ("issuer.name", "Another University"),
    ("credentialSubject.id", "urn:uuid:00000000-0000-4000-8000-000000000000"),
    ("credentialSubject.achievement.name", "Something else"),
    ("credentialSubject.achievement.criteria.narrative", "Nothing at all."),
    ("credentialStatus.statusListIndex", str(INDEX + 1)),
    ("proof.0.created", "2026-03-01T12:00:01Z"),
]


def test_changing_any_field_fails_in_node_and_here():
    documents = _documents()
    changed = []
    for path, value in CHANGES:
        credential = copy.deepcopy(_issued())
        *parents, last = path.split(".")
        target = credential
        for step in parents:
            target = target[int(step) if step.isdigit() else step]
        target[last] = value
        changed.append(credential)
        with pytest.raises(CredentialError):
            verify_credential(credential, profile_resolver([make_profile(KEY)]), now=NOW)
    answers = run_node([verify_request(c, documents, NOW_ISO) for c in changed])
    assert [a["verified"] for a in answers] == [False] * len(CHANGES), answers


def test_a_key_the_issuer_does_not_publish_fails_in_node():
    other = Ed25519PrivateKey.generate()
    answer = node_verify(_issued(), _documents(key=other), NOW_ISO)
    assert answer["verified"] is False


def test_a_credential_signed_before_a_rotation_verifies_in_node():
    new = Ed25519PrivateKey.generate()
    documents = _documents() | {ISSUER_ID: make_profile(new, KEY)}  # active first, then retired
    answer = node_verify(_issued(), documents, NOW_ISO)
    assert answer["verified"] is True, answer


def test_node_signs_the_very_proof_we_sign_and_we_verify_it():
    created = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    credential = make_credential(credentialStatus=status_entry(LIST_URL, INDEX))
    request = {
        "op": "sign",
        "credential": credential,
        "seedHex": SEED.hex(),
        "controller": ISSUER_ID,
        "created": NOW_ISO,
    }
    (answer,) = run_node([request])
    signed_by_node = answer["credential"]
    verify_credential(signed_by_node, profile_resolver([make_profile(KEY)]), now=NOW)
    # Ed25519 is deterministic: the same canonical bytes give the same signature. Node writes a
    # single proof as an object (JSON-LD compaction), we as a set of one (OB 3.0's schema).
    assert [signed_by_node["proof"]] == sign(credential, KEY, created)["proof"]


def test_an_unknown_context_is_refused_by_both_and_fetched_by_neither():
    credential = make_credential()
    credential["@context"] = [*credential["@context"], "https://contexts.example.org/v1"]
    with pytest.raises(CredentialError):
        sign(credential, KEY)
    signed = _issued()
    signed["@context"] = [*signed["@context"], "https://contexts.example.org/v1"]
    answer = node_verify(signed, _documents(), NOW_ISO)
    assert answer["verified"] is False and "contexts.example.org/v1" in answer["error"]


TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)),  # surrogates are not JSON text
    max_size=40,
)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TEXT, TEXT), min_size=25, max_size=25))
def test_pyld_canonical_form_is_rdfc_1_0_or_refused(texts: list[tuple[str, str]]):
    documents = []
    for name, narrative in texts:
        credential = make_credential(name=name)
        credential["credentialSubject"]["achievement"]["criteria"]["narrative"] = narrative
        documents.append(credential)
    answers = run_node([{"op": "canonize", "document": d} for d in documents])
    for document, answer in zip(documents, answers, strict=True):
        try:
            ours = canonicalize(document)
        except CredentialError as exc:  # only for text whose escaping the two forms differ on
            assert exc.code == "jsonld_invalid" and answer["nquads"] != _pyld_raw(document)
            continue
        assert ours == answer["nquads"]


def _pyld_raw(document: dict[str, Any]) -> str:
    from pyld import jsonld

    from lms_plugin.badges.loader import document_loader

    options = {"algorithm": "URDNA2015", "format": "application/n-quads"}
    return str(jsonld.normalize(document, {**options, "documentLoader": document_loader()}))
