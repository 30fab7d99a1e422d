"""A credential as a VC-JWT, in the form Open Badges 3.0 §8.2 "JSON Web Token Proof Format" gives.

JOSE header (§8.2.3): `alg`, then `kid` (a URL that dereferences to the public JWK) or, without a
kid, `jwk` (the public key, never with "d"), and `typ` "JWT"; no other header. OB 3.0 makes RS256
the algorithm every verifier supports ("MUST be RS256 as a minimum"; 1EdTech's conformance uses an
RSA key for the JWT form) and allows others "but their use limits interoperability": both RS256
(RSA >= 2048 bits, RFC 7518 §3.3) and EdDSA (Ed25519, RFC 8037) are signed and read here, the
algorithm following the key.

Payload (§8.2.4): the OpenBadgeCredential itself (with its embedded proof, made first) plus the
claims `iss` = issuer.id, `jti` = id, `nbf` = validFrom, `sub` = credentialSubject.id and, when
the credential has validUntil, `exp`. Verifying (§8.2.6) checks the signature, then that each
claim matches the credential and that validFrom has passed and validUntil has not. A payload in
the VCDM 1.1 form (the credential under `vc`) is read too, as the note in §8.2.6 allows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

from lms_plugin.badges.data_integrity import parse_xsd_datetime, xsd_datetime
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.verify import check_validity_period, issuer_id

SigningKey = Ed25519PrivateKey | RSAPrivateKey
PublicKey = Ed25519PublicKey | RSAPublicKey
# Given the JOSE header (kid or jwk), the issuer's public key: or CredentialError if unknown.
KeyResolver = Callable[[Mapping[str, Any]], PublicKey]

ALLOWED_HEADERS = frozenset({"alg", "kid", "jwk", "typ"})
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
MAX_TOKEN_CHARS = 256_000
_JWS = jwt.PyJWS()


def algorithm_for(key: SigningKey | PublicKey) -> str:
    """The JWS `alg` for `key`: EdDSA for Ed25519, RS256 for RSA of at least 2048 bits."""
    if isinstance(key, Ed25519PrivateKey | Ed25519PublicKey):
        return "EdDSA"
    if key.key_size < 2048:
        raise ValueError("RS256 needs an RSA key of at least 2048 bits (RFC 7518 §3.3)")
    return "RS256"


def public_jwk(key: PublicKey, kid: str | None = None) -> dict[str, Any]:
    """The public JWK for `key` (what a `kid` URL serves, or the `jwk` header)."""
    if isinstance(key, Ed25519PublicKey):
        jwk: dict[str, Any] = OKPAlgorithm.to_jwk(key, as_dict=True)
    else:
        jwk = RSAAlgorithm.to_jwk(key, as_dict=True)
    jwk.update(alg=algorithm_for(key), use="sig")
    return jwk | ({"kid": kid} if kid else {})


def jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT payload of §8.2.4: the credential plus iss, jti, nbf, sub (and exp)."""
    subject = credential.get("credentialSubject")
    claims = {
        "iss": issuer_id(credential),
        "jti": credential.get("id"),
        "nbf": _numeric_date(credential.get("validFrom"), "validFrom"),
        "sub": subject.get("id") if isinstance(subject, dict) else None,
    }
    if "validUntil" in credential:
        claims["exp"] = _numeric_date(credential["validUntil"], "validUntil")
    missing = [name for name, value in claims.items() if not isinstance(value, str | int)]
    if missing:
        raise CredentialError(f"The credential lacks what the JWT claims {missing} need.")
    return {**credential, **claims}


def encode_vc_jwt(credential: Mapping[str, Any], key: SigningKey, *, kid: str | None) -> str:
    """The credential as a compact JWS; `kid` names the key, or the public `jwk` is embedded."""
    header = {"kid": kid} if kid else {"jwk": public_jwk(key.public_key())}
    # The claims serialized by orjson (about a 25 KB credential: 7 µs where PyJWT's json.dumps
    # takes 105), then signed by PyJWT's JWS layer as jwt.encode would (it adds typ "JWT").
    payload = orjson.dumps(jwt_claims(credential))
    return _JWS.encode(payload, key, algorithm=algorithm_for(key), headers=header)


def decode_vc_jwt(token: str, resolve_key: KeyResolver, *, now: datetime) -> dict[str, Any]:
    """The credential a VC-JWT carries, once its signature and claims are checked (§8.2.6)."""
    header = _header(token)
    key = resolve_key(header)
    if algorithm_for(key) != header["alg"]:
        raise CredentialError("The JWT's alg does not fit the issuer's key.", code="jwt_invalid")
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[header["alg"]],
            options={
                "require": ["iss", "jti", "nbf", "sub"],
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
            },
        )
    except jwt.InvalidSignatureError as exc:
        raise CredentialError(
            "The JWT's signature does not match.", code="signature_invalid"
        ) from exc
    except jwt.PyJWTError as exc:
        raise CredentialError(f"The JWT is not valid: {exc}", code="jwt_invalid") from exc
    if isinstance(payload.get("vc"), dict):
        credential = dict(payload["vc"])
    else:  # the payload is the credential plus the registered claims (RFC 7519 §4.1)
        credential = {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}
    if "exp" in payload and "validUntil" not in credential:  # §8.2.6: exp sets validUntil
        credential["validUntil"] = _xsd_from_numeric(payload["exp"])
    _check_claims(payload, credential)
    check_validity_period(credential, now)
    return credential


def _header(token: str) -> dict[str, Any]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise CredentialError("Not a compact JWS.", code="jwt_malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise CredentialError("The JWT header cannot be read.", code="jwt_malformed") from exc
    if header.get("alg") not in {"RS256", "EdDSA"} or not set(header) <= ALLOWED_HEADERS:
        raise CredentialError(
            "The JWT header must be alg RS256 or EdDSA with kid or jwk, and nothing else.",
            code="jwt_invalid",
        )
    if header.get("typ", "JWT") != "JWT" or not ({"kid", "jwk"} & set(header)):
        raise CredentialError("The JWT header names no key, or a wrong typ.", code="jwt_invalid")
    if isinstance(header.get("jwk"), dict) and "d" in header["jwk"]:
        raise CredentialError("The JWT header carries a private key.", code="jwt_invalid")
    return header


def _check_claims(payload: Mapping[str, Any], credential: Mapping[str, Any]) -> None:
    subject = credential.get("credentialSubject")
    expected = {
        "iss": issuer_id(credential),
        "jti": credential.get("id"),
        "sub": subject.get("id") if isinstance(subject, dict) else None,
        "nbf": _numeric_date(credential.get("validFrom"), "validFrom"),
    }
    if "validUntil" in credential:
        expected["exp"] = _numeric_date(credential.get("validUntil"), "validUntil")
    wrong = sorted(name for name, value in expected.items() if payload.get(name) != value)
    if wrong:
        raise CredentialError(
            f"The JWT claims {wrong} do not match the credential.", code="jwt_claims_mismatch"
        )


def _xsd_from_numeric(value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        raise CredentialError("The JWT's exp is not a NumericDate.", code="jwt_invalid")
    return xsd_datetime(datetime.fromtimestamp(value, UTC))


def _numeric_date(value: Any, field: str) -> int:
    moment = parse_xsd_datetime(value, field)
    return int(moment.astimezone(UTC).timestamp())
