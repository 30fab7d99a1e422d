"""A platform's OpenID configuration as LTI Dynamic Registration reads it (§3.4), for tests of
the registration rules."""

from __future__ import annotations

from typing import Any

LMS = "https://lms.example.edu"


def openid_configuration(**changes: Any) -> dict[str, Any]:
    """A valid configuration of the platform at :data:`LMS`, with ``changes``."""
    return {
        "issuer": LMS,
        "authorization_endpoint": LMS + "/auth",
        "token_endpoint": LMS + "/token",
        "jwks_uri": LMS + "/jwks",
        "registration_endpoint": LMS + "/register",
        "id_token_signing_alg_values_supported": ["RS256"],
        **changes,
    }
