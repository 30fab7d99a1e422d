"""The launch's RS256 compact-JWS check agrees with PyJWT and refuses every malformed form."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256

from lms_plugin.lti import jws

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CLAIMS = {"iss": "https://lms.example.edu", "sub": "u1", "name": "Zoë", "n": list(range(200))}


def _token(claims=CLAIMS, key=KEY, **headers):
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1", **headers})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_verifies_what_pyjwt_verifies():
    token = _token()
    assert jws.verify_rs256(token, KEY.public_key()) == jwt.decode(
        token, KEY.public_key(), algorithms=["RS256"]
    )
    assert jws.header(token) == {"alg": "RS256", "kid": "k1", "typ": "JWT"}


def test_another_key_is_a_bad_signature():
    with pytest.raises(jws.BadSignature):
        jws.verify_rs256(_token(), OTHER.public_key())


def test_unsigned_token_is_a_bad_signature():
    head, body, _ = _token().split(".")
    with pytest.raises(jws.BadSignature):
        jws.verify_rs256(f"{head}.{body}.", KEY.public_key())


def test_changed_payload_is_a_bad_signature():
    head, _, sig = _token().split(".")
    forged = _b64(json.dumps({**CLAIMS, "sub": "admin"}).encode())
    with pytest.raises(jws.BadSignature):
        jws.verify_rs256(f"{head}.{forged}.{sig}", KEY.public_key())


def test_header_claiming_another_alg_is_refused_even_if_signed():
    _, body, sig = _token().split(".")
    other_head = _b64(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    with pytest.raises(jws.BadSignature):
        jws.verify_rs256(f"{other_head}.{body}.{sig}", KEY.public_key())


def test_non_rsa_key_is_refused():
    with pytest.raises(jws.BadSignature):
        jws.verify_rs256(_token(), ec.generate_private_key(ec.SECP256R1()).public_key())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a.b",
        "a.b.c.d",
        "é.b.c",
        "eyJhbGciOiJSUzI1NiJ9.e30=.c2ln",  # padding is not base64url (RFC 7515 §2)
        "eyJhbGciOiJSUzI1NiJ9.e30.c2l+",  # '+' is base64, not base64url
        "eyJhbGciOiJSUzI1NiJ9.e30.a",  # impossible length
        _b64(b"[1]") + ".e30.c2ln",  # header is not an object
        _b64(b"\xff\xfe") + ".e30.c2ln",  # header is not UTF-8 JSON
    ],
)
def test_malformed_tokens(token):
    with pytest.raises(jws.MalformedToken):
        jws.verify_rs256(token, KEY.public_key())


def test_payload_must_be_a_json_object():
    head = _b64(json.dumps({"alg": "RS256", "kid": "k1"}).encode())
    body = _b64(b"[1, 2]")
    signature = KEY.sign(f"{head}.{body}".encode(), PKCS1v15(), SHA256())
    with pytest.raises(jws.MalformedToken, match="payload"):
        jws.verify_rs256(f"{head}.{body}.{_b64(signature)}", KEY.public_key())
