"""VC-JWT (OB 3.0 §8.2): PyJWT signs, jwcrypto (another JOSE library) verifies, and back."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws
from jwcrypto import jwt as jwcrypto_jwt

from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.vc_jwt import (
    PublicKey,
    SigningKey,
    decode_vc_jwt,
    encode_vc_jwt,
    jwt_claims,
    public_jwk,
)
from tests.support.badges import ISSUER_ID, NOW, make_credential, sign

KID = f"{ISSUER_ID}/keys/jwt-1"


@cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


ED_KEY = Ed25519PrivateKey.from_private_bytes(b"\x05" * 32)
KEYS = {"RS256": rsa_key, "EdDSA": lambda: ED_KEY}


def _resolver(key: SigningKey) -> Any:
    def resolve(header: dict[str, Any]) -> PublicKey:
        if header.get("kid") not in (KID, None):
            raise CredentialError("unknown kid", code="verification_method")
        return key.public_key()

    return resolve


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    def part(text: str) -> dict[str, Any]:
        return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))

    header, payload, _ = token.split(".")
    return part(header), part(payload)


@pytest.mark.parametrize("alg", sorted(KEYS))
def test_our_vc_jwt_has_the_ob3_shape_and_verifies_in_jwcrypto(alg: str):
    key = KEYS[alg]()
    credential = sign(make_credential(validUntil="2031-02-01T09:30:00Z"), ED_KEY)
    token = encode_vc_jwt(credential, key, kid=KID)
    header, payload = _parts(token)
    assert header == {"alg": alg, "kid": KID, "typ": "JWT"}
    assert payload["iss"] == ISSUER_ID and payload["jti"] == credential["id"]
    assert payload["sub"] == credential["credentialSubject"]["id"]
    assert payload["nbf"] == int(datetime(2026, 2, 1, 9, 30, tzinfo=UTC).timestamp())
    assert payload["exp"] == int(datetime(2031, 2, 1, 9, 30, tzinfo=UTC).timestamp())
    assert payload["proof"] == credential["proof"]  # the embedded proof comes first (§8.2.4)

    verified = jwcrypto_jwt.JWT(
        jwt=token,
        key=jwcrypto_jwk.JWK.from_pyca(key.public_key()),
        algs=[alg],
        check_claims={"iss": ISSUER_ID, "jti": credential["id"]},
    )
    assert json.loads(verified.claims) == jwt_claims(credential)
    assert decode_vc_jwt(token, _resolver(key), now=NOW) == credential


@pytest.mark.parametrize("alg", sorted(KEYS))
def test_a_vc_jwt_signed_by_jwcrypto_verifies_here(alg: str):
    key = KEYS[alg]()
    credential = make_credential()
    token = jwcrypto_jwt.JWT(
        header={"alg": alg, "kid": KID, "typ": "JWT"}, claims=jwt_claims(credential)
    )
    token.make_signed_token(jwcrypto_jwk.JWK.from_pyca(key))
    assert decode_vc_jwt(token.serialize(), _resolver(key), now=NOW) == credential


def test_without_kid_the_public_jwk_is_embedded_and_never_the_private_one():
    token = encode_vc_jwt(make_credential(), ED_KEY, kid=None)
    header, _ = _parts(token)
    assert set(header) == {"alg", "jwk", "typ"} and "d" not in header["jwk"]
    assert header["jwk"] == public_jwk(ED_KEY.public_key())
    jwcrypto_jws.JWS.from_jose_token(token).verify(jwcrypto_jwk.JWK(**header["jwk"]))


def test_changing_the_payload_or_using_another_key_fails_in_both_libraries():
    token = encode_vc_jwt(make_credential(), ED_KEY, kid=KID)
    header, _, signature = token.split(".")
    forged = _parts(token)[1] | {"name": "ISP Level 2"}
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{body}.{signature}"
    with pytest.raises(CredentialError) as caught:
        decode_vc_jwt(tampered, _resolver(ED_KEY), now=NOW)
    assert caught.value.code == "signature_invalid"
    with pytest.raises(jwcrypto_jws.InvalidJWSSignature):
        jwcrypto_jws.JWS.from_jose_token(tampered).verify(
            jwcrypto_jwk.JWK.from_pyca(ED_KEY.public_key())
        )
    other = Ed25519PrivateKey.generate()
    with pytest.raises(CredentialError):
        decode_vc_jwt(token, _resolver(other), now=NOW)


def _token_with(claims: dict[str, Any], **header: Any) -> str:
    token = jwcrypto_jwt.JWT(header={"alg": "EdDSA", "kid": KID, **header}, claims=claims)
    token.make_signed_token(jwcrypto_jwk.JWK.from_pyca(ED_KEY))
    return str(token.serialize())


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"iss": "https://other.example/issuer"}, "jwt_claims_mismatch"),
        ({"sub": "urn:uuid:someone-else"}, "jwt_claims_mismatch"),
        ({"jti": "https://other.example/credentials/1"}, "jwt_claims_mismatch"),
        ({"nbf": 1}, "jwt_claims_mismatch"),
        ({"exp": int(datetime(2026, 2, 2, tzinfo=UTC).timestamp())}, "expired"),
    ],
)
def test_claims_that_disagree_with_the_credential_are_refused(change: dict[str, Any], code: str):
    claims = jwt_claims(make_credential()) | change
    with pytest.raises(CredentialError) as caught:
        decode_vc_jwt(_token_with(claims), _resolver(ED_KEY), now=NOW)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "header", [{"alg": "HS256"}, {"x5u": "https://evil.example/cert"}, {"typ": "vc+jwt"}]
)
def test_headers_ob3_does_not_allow_are_refused(header: dict[str, Any]):
    token = encode_vc_jwt(make_credential(), ED_KEY, kid=KID)
    original, _ = _parts(token)
    encoded = base64.urlsafe_b64encode(json.dumps(original | header).encode()).rstrip(b"=")
    forged = ".".join([encoded.decode(), *token.split(".")[1:]])
    with pytest.raises(CredentialError) as caught:
        decode_vc_jwt(forged, _resolver(ED_KEY), now=NOW)
    assert caught.value.code == "jwt_invalid"


def test_a_key_of_the_wrong_type_for_alg_is_refused():
    token = encode_vc_jwt(make_credential(), ED_KEY, kid=KID)
    with pytest.raises(CredentialError) as caught:
        decode_vc_jwt(token, _resolver(rsa_key()), now=NOW)
    assert caught.value.code == "jwt_invalid"


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "x" * 300_000, "e30.e30.e30"])
def test_garbage_is_malformed_not_a_crash(token: str):
    with pytest.raises(CredentialError):
        decode_vc_jwt(token, _resolver(ED_KEY), now=NOW)


def test_a_credential_without_subject_id_cannot_become_a_jwt():
    credential = make_credential()
    del credential["credentialSubject"]["id"]
    with pytest.raises(CredentialError, match="sub"):
        encode_vc_jwt(credential, ED_KEY, kid=KID)


def test_exp_sets_valid_until_when_the_credential_has_none():
    claims = jwt_claims(make_credential())
    claims["exp"] = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())
    credential = decode_vc_jwt(_token_with(claims), _resolver(ED_KEY), now=NOW)
    assert credential["validUntil"] == "2030-01-01T00:00:00Z"


def test_short_rsa_keys_are_refused():
    with pytest.raises(ValueError, match="2048"):
        encode_vc_jwt(make_credential(), rsa.generate_private_key(65537, 1024), kid=KID)  # noqa: S505
