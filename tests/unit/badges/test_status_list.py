"""Bitstring Status List: bit order, encoding, size limits, random indexes, the signed list."""

from __future__ import annotations

import base64
import gzip

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from lms_plugin.badges.errors import StatusListError
from lms_plugin.badges.profile import profile_resolver
from lms_plugin.badges.status_list import (
    MIN_ENTRIES,
    StatusList,
    allocate_index,
    read_status,
    status_entry,
    status_list_credential,
)
from lms_plugin.badges.verify import verify_credential
from tests.support.badges import ISSUER_ID, NOW, make_credential, make_profile, sign

LIST_URL = "https://badges.example.edu/status/1"
KEY = Ed25519PrivateKey.from_private_bytes(b"\x11" * 32)


def _raw(encoded: str) -> bytes:
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_entry_zero_is_the_left_most_bit_of_the_first_byte():
    status_list = StatusList.empty()
    status_list.set(0)
    status_list.set(9)
    status_list.set(MIN_ENTRIES - 1)
    raw = _raw(status_list.encode())
    assert len(raw) == 16_384
    assert raw[0] == 0b1000_0000 and raw[1] == 0b0100_0000 and raw[-1] == 0b0000_0001
    assert [status_list.get(i) for i in (0, 1, 8, 9, MIN_ENTRIES - 1)] == [1, 0, 0, 1, 1]


def test_encoding_is_gzip_then_multibase_base64url_and_deterministic():
    status_list = StatusList.empty()
    encoded = status_list.encode()
    assert encoded.startswith("uH4sI") and "=" not in encoded  # 'u' + base64url of 1f 8b 08
    assert StatusList.empty().encode() == encoded


@given(st.sets(st.integers(0, MIN_ENTRIES - 1), max_size=50))
def test_any_set_of_bits_round_trips(indexes: set[int]):
    status_list = StatusList.empty()
    for index in indexes:
        status_list.set(index)
    decoded = StatusList.decode(status_list.encode())
    assert {i for i in range(MIN_ENTRIES) if decoded.bits[i // 8] and decoded.get(i)} == indexes


def test_clearing_a_bit():
    status_list = StatusList.empty()
    status_list.set(5)
    status_list.set(5, False)
    assert not status_list.get(5) and not any(status_list.bits)


@pytest.mark.parametrize(
    "encoded",
    [
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1024))).decode().rstrip("="),  # short
        "u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(2**24))).decode().rstrip("="),  # bomb
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16_384))[:-12]).decode().rstrip("="),
        "zNotBase64url",
    ],
    ids=["too-short", "not-gzip", "too-large", "truncated", "wrong-base"],
)
def test_a_bad_encoded_list_is_refused(encoded: str):
    with pytest.raises(StatusListError):
        StatusList.decode(encoded)


def test_an_index_outside_the_list_is_refused():
    with pytest.raises(StatusListError):
        StatusList.empty().get(MIN_ENTRIES)
    with pytest.raises(StatusListError):
        StatusList.empty().set(-1)
    with pytest.raises(ValueError):
        StatusList.empty(1024)


def test_allocated_indexes_are_free_and_spread_over_the_list():
    taken: set[int] = set()
    for _ in range(200):
        index = allocate_index(taken)
        assert 0 <= index < MIN_ENTRIES and index not in taken
        taken.add(index)
    assert max(taken) > MIN_ENTRIES // 2  # not handed out in order from 0
    assert sorted(taken) != list(range(200))


def test_allocation_finds_the_last_free_index_and_then_says_full():
    entries = 64
    taken = set(range(entries)) - {37}
    assert allocate_index(taken, entries) == 37
    with pytest.raises(StatusListError) as caught:
        allocate_index(set(range(entries)), entries)
    assert caught.value.code == "status_list_full"


def test_a_signed_status_list_credential_verifies_and_reports_the_revoked_bit():
    status_list = StatusList.empty()
    status_list.set(4242)
    unsigned = status_list_credential(LIST_URL, ISSUER_ID, status_list, "2026-02-01T00:00:00Z")
    signed = sign(unsigned, KEY)
    verify_credential(signed, profile_resolver([make_profile(KEY)]), now=NOW)
    assert read_status(signed, status_entry(LIST_URL, 4242)) is True
    assert read_status(signed, status_entry(LIST_URL, 4243)) is False


def test_a_credential_with_a_status_entry_signs_and_verifies():
    credential = make_credential(credentialStatus=status_entry(LIST_URL, 77))
    assert credential["credentialStatus"] == {
        "id": f"{LIST_URL}#77",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "77",
        "statusListCredential": LIST_URL,
    }
    verify_credential(sign(credential, KEY), profile_resolver([make_profile(KEY)]), now=NOW)


@pytest.mark.parametrize(
    "change",
    [
        {"statusListCredential": "https://badges.example.edu/status/2"},
        {"statusPurpose": "suspension"},
        {"statusListIndex": "-1"},
        {"statusListIndex": 4},
        {"type": "StatusList2021Entry"},
    ],
)
def test_an_entry_that_does_not_fit_the_list_is_refused(change: dict[str, object]):
    listed = status_list_credential(LIST_URL, ISSUER_ID, StatusList.empty(), "2026-02-01T00:00:00Z")
    with pytest.raises(StatusListError):
        read_status(listed, status_entry(LIST_URL, 4) | change)
