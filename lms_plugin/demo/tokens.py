"""The practice LMS's token endpoint and the bearer tokens it hands out.

1EdTech Security Framework §4.1: the tool asks for an access token with the client-credentials
grant (RFC 6749 §4.4), proving who it is with a JWT signed by its own key (RFC 7523 §2.2, §3),
which is checked against the tool's JWKS, fetched from the URL the admin registered (the tool's
``/lti/jwks``). The token then opens the services whose scopes it was granted.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import jwt

from lms_plugin.demo.claims import AGS_SCOPES, NRPS_SCOPE
from lms_plugin.demo.config import PracticeConfig
from lms_plugin.domain.errors import LmsError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_SECONDS = 3600
ALLOWED_SCOPES = frozenset({*AGS_SCOPES, NRPS_SCOPE})


class OAuthError(LmsError):
    """An RFC 6749 §5.2 error answer, with its HTTP status."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


@dataclass
class TokenService:
    """Access tokens for the tool, in memory: granted at /token, checked on every service call."""

    config: PracticeConfig
    tool_keys: jwt.PyJWKClient  # the tool's JWKS, at the URL registered for it
    clock: Callable[[], float] = time.time
    _tokens: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    _jtis: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def grant(self, form: Mapping[str, str]) -> dict[str, object]:
        """The token response (RFC 6749 §5.1) for a valid request; OAuthError otherwise."""
        if form.get("grant_type") != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            raise OAuthError(400, "invalid_request", "a jwt-bearer client_assertion is required")
        self._check_assertion(form["client_assertion"])
        granted = frozenset(form.get("scope", "").split()) & ALLOWED_SCOPES
        if not granted:
            raise OAuthError(400, "invalid_scope", "none of the requested scopes is offered")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (self.clock() + TOKEN_SECONDS, granted)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": " ".join(sorted(granted)),
        }

    def authorize(self, header: str, *scopes: str) -> None:
        """A service call's bearer token must be live and hold one of ``scopes`` (RFC 6750)."""
        token = header[7:] if header.startswith("Bearer ") else ""
        with self._lock:
            expires_at, granted = self._tokens.get(token, (0.0, frozenset()))
        if expires_at <= self.clock():
            raise OAuthError(401, "invalid_token", "unknown or expired access token")
        if not granted & set(scopes):
            raise OAuthError(403, "insufficient_scope", f"needs one of {', '.join(scopes)}")

    def _check_assertion(self, assertion: str) -> None:
        """RFC 7523 §3: signed by the tool's key; iss and sub the client id; aud this endpoint;
        not expired; its jti used once."""
        try:
            key = self.tool_keys.get_signing_key_from_jwt(assertion)
        except jwt.PyJWKClientConnectionError:  # the tool is not answering (yet)
            raise OAuthError(
                503, "temporarily_unavailable", "the tool's JWKS is unreachable"
            ) from None
        except jwt.PyJWTError as exc:
            raise OAuthError(401, "invalid_client", f"client_assertion: {exc}") from None
        try:
            claims = jwt.decode(
                assertion,
                key.key,
                algorithms=["RS256"],
                audience=self.config.token_url,
                issuer=self.config.client_id,
                leeway=5,
                options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"]},
            )
        except jwt.PyJWTError as exc:
            raise OAuthError(401, "invalid_client", f"client_assertion: {exc}") from None
        if claims["sub"] != self.config.client_id:
            raise OAuthError(401, "invalid_client", "client_assertion: sub must be the client id")
        now = self.clock()
        with self._lock:
            self._jtis = {jti: exp for jti, exp in self._jtis.items() if exp > now}
            if claims["jti"] in self._jtis:
                raise OAuthError(401, "invalid_client", "client_assertion: jti already used")
            self._jtis[str(claims["jti"])] = float(claims["exp"]) + 5
