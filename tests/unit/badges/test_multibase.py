"""base58-btc, base64url and Ed25519 Multikey encodings, pinned by 1EdTech's published values."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.multibase import (
    decode_base58btc,
    decode_base64url,
    encode_base58btc,
    encode_base64url,
)
from lms_plugin.badges.multikey import (
    decode_public_key,
    multikey_document,
    public_key_multibase,
    read_multikey,
)
from tests.support.badges import (
    VECTOR_MULTIKEY,
    VECTOR_PROOF_VALUE,
    VECTOR_PUBLIC_HEX,
    VECTOR_SIGNATURE_HEX,
    vector_key,
)


def test_published_signature_and_key_encode_as_published():
    assert encode_base58btc(bytes.fromhex(VECTOR_SIGNATURE_HEX)) == VECTOR_PROOF_VALUE
    assert decode_base58btc(VECTOR_PROOF_VALUE).hex() == VECTOR_SIGNATURE_HEX
    assert public_key_multibase(vector_key().public_key()) == VECTOR_MULTIKEY
    assert decode_public_key(VECTOR_MULTIKEY).public_bytes_raw().hex() == VECTOR_PUBLIC_HEX


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [(b"", "z"), (b"\0", "z1"), (b"\0\0\x01", "z112"), (b"hello world", "zStV1DL6CwTryKyV")],
)
def test_base58btc_known_values_and_leading_zeros(raw: bytes, encoded: str):
    assert encode_base58btc(raw) == encoded
    assert decode_base58btc(encoded) == raw


@given(st.binary(max_size=80))
def test_base58btc_round_trips(raw: bytes):
    assert decode_base58btc(encode_base58btc(raw)) == raw


@given(st.binary(max_size=200))
def test_base64url_round_trips_without_padding(raw: bytes):
    encoded = encode_base64url(raw)
    assert encoded.startswith("u") and "=" not in encoded
    assert decode_base64url(encoded) == raw


@pytest.mark.parametrize("text", ["", "x123", "z0OIl", "z" + "2" * 300])
def test_bad_base58btc_is_refused(text: str):
    with pytest.raises(CredentialError):
        decode_base58btc(text)


@pytest.mark.parametrize("text", ["", "zAAAA", "uAA==", "uA+/B", "uA"])
def test_bad_base64url_is_refused(text: str):
    with pytest.raises(CredentialError):
        decode_base64url(text)


def test_a_multikey_document_reads_back_to_its_key():
    key = Ed25519PrivateKey.generate().public_key()
    document = multikey_document("https://issuer.example", key, context=True)
    assert document["@context"] == "https://w3id.org/security/multikey/v1"
    assert document["id"] == f"https://issuer.example#{document['publicKeyMultibase']}"
    method = read_multikey(document)
    assert method.public_key == key and method.controller == "https://issuer.example"


@pytest.mark.parametrize(
    "document",
    [
        {"type": "JsonWebKey", "id": "a#b", "controller": "a", "publicKeyMultibase": "z6Mk"},
        {"type": "Multikey", "id": "a#b", "controller": "a"},
        # a P-256 key (multicodec 0x1200), not Ed25519
        {
            "type": "Multikey",
            "id": "a#b",
            "controller": "a",
            "publicKeyMultibase": "zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv",
        },
    ],
)
def test_what_is_not_an_ed25519_multikey_is_refused(document: dict[str, str]):
    with pytest.raises(CredentialError) as caught:
        read_multikey(document)
    assert caught.value.code == "verification_method"
