"""Our signing keys' public forms: the JWK our JWKS serves verifies what the key signs, and the
kid is the RFC 7638 thumbprint pylti1p3 (through jwcrypto) puts in Deep Linking responses."""

from __future__ import annotations

import jwt
from pylti1p3.registration import Registration

from lms_plugin.lti.keys import kid_for, new_private_key_pem, public_jwk, public_pem

PEM = new_private_key_pem()


def test_the_public_jwk_verifies_what_the_key_signs():
    jwk = public_jwk(PEM, "k1")
    assert set(jwk) == {"kty", "alg", "use", "kid", "n", "e"}  # the public half only
    token = jwt.encode({"sub": "x"}, PEM, algorithm="RS256", headers={"kid": "k1"})
    key = jwt.PyJWK(jwk).key
    assert jwt.decode(token, key, algorithms=["RS256"]) == {"sub": "x"}


def test_the_kid_is_the_thumbprint_deep_linking_responses_carry():
    pylti = Registration().set_tool_public_key(public_pem(PEM))
    assert kid_for(PEM) == pylti.get_kid()
    assert kid_for(PEM) != kid_for(new_private_key_pem())
