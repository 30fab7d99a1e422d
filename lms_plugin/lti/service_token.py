"""Service access tokens: OAuth 2 client credentials with a JWT assertion (Security Framework §4.1).

The tool signs a short-lived RS256 assertion (RFC 7523) with its active key and trades it at the
platform's token URL for a bearer token. Tokens are cached in the shared key-value store, so all
worker processes reuse one token per (token URL, client id, scope set) until shortly before expiry.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

import jwt
import requests

from lms_plugin.domain.errors import UpstreamError
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.outbound import why_unreachable

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300  # Security Framework §4.1.1: keep the assertion short-lived (≤ 5 min)
EXPIRY_MARGIN = 30  # drop a cached token this long before the platform says it expires
HOLD_SECONDS = 10  # a process keeps a token from the store this long (< EXPIRY_MARGIN)
DEFAULT_EXPIRES_IN = 300  # expires_in is only RECOMMENDED (RFC 6749 §5.1): assume little

TokenSource = Callable[[tuple[str, ...], bool], str]


class ServiceTokenError(UpstreamError):
    """The token endpoint refused or could not be reached (RFC 6749 §5.2); ``lms_status`` is
    the endpoint's HTTP status (None: no answer)."""

    code = "lms_token_failed"

    def __init__(
        self,
        lms_status: int | None,
        message: str,
        *,
        error: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.lms_status = lms_status
        self.error = error  # the OAuth 2 error code, e.g. invalid_client, invalid_scope
        self.retry_after = retry_after
        self.retryable = lms_status is None or lms_status == 429 or lms_status >= 500


def access_token(
    *,
    client_id: str,
    token_url: str,
    signing_key: Callable[[], tuple[str, str]],
    scopes: tuple[str, ...],
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
    force_refresh: bool = False,
    audience: str | None = None,
) -> tuple[str, float]:
    """A bearer token for ``scopes``: the shared cached one, or a fresh one (Security §4.1);
    with how many seconds a caller may hold it without asking the store again. ``audience``
    is the client assertion's ``aud`` where the platform wants another value than its token
    URL (Brightspace, domain.platform_profiles)."""
    key = _cache_key(token_url, client_id, scopes)
    if force_refresh:
        store.delete(key)
    else:
        cached = store.get(key)
        if cached is not None:  # the store drops it EXPIRY_MARGIN s before it expires
            return cached, HOLD_SECONDS
    kid, private_key_pem = signing_key()
    assertion = client_assertion(client_id, audience or token_url, kid, private_key_pem)
    token, expires_in = _request_token(http, token_url, assertion, scopes, timeout)
    cache_for = max(1, expires_in - EXPIRY_MARGIN)
    store.set(key, token, cache_for)
    return token, min(HOLD_SECONDS, cache_for)


def token_source(
    *,
    client_id: str,
    token_url: str,
    signing_key: Callable[[], tuple[str, str]],
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
    clock: Callable[[], float] = time.monotonic,
    audience: str | None = None,
) -> TokenSource:
    """``token(scopes, force_refresh)`` for one registration, as :class:`AgsClient` expects.

    ``signing_key()`` gives our active (kid, private key PEM); it is only asked for when a new
    token must be requested, not when the shared cache holds one."""

    # Held here too, briefly: a client that sends many scores need not ask the store for each.
    held: dict[tuple[str, ...], tuple[str, float]] = {}

    def token(scopes: tuple[str, ...], force_refresh: bool) -> str:
        known = held.get(scopes)
        if known is not None and not force_refresh and clock() < known[1]:
            return known[0]
        value, hold = access_token(
            client_id=client_id,
            token_url=token_url,
            signing_key=signing_key,
            scopes=scopes,
            store=store,
            http=http,
            timeout=timeout,
            force_refresh=force_refresh,
            audience=audience,
        )
        held[scopes] = (value, clock() + hold)
        return value

    return token


def client_assertion(client_id: str, token_url: str, kid: str, private_key_pem: str) -> str:
    """The signed JWT client assertion (Security Framework §4.1.1; RFC 7523 §3)."""
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
        "jti": secrets.token_urlsafe(24),
    }
    return jwt.encode(claims, private_key_pem, algorithm="RS256", headers={"kid": kid})


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (delay-seconds or HTTP-date, RFC 9110 §10.2.3) in seconds."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _cache_key(token_url: str, client_id: str, scopes: tuple[str, ...]) -> str:
    material = "\n".join([token_url, client_id, " ".join(sorted(set(scopes)))])
    return "lti-svc-token:" + hashlib.sha256(material.encode()).hexdigest()


def _request_token(
    http: requests.Session, token_url: str, assertion: str, scopes: tuple[str, ...], timeout: float
) -> tuple[str, int]:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": " ".join(sorted(set(scopes))),
    }
    try:
        response = http.post(
            token_url,
            data=form,
            headers={"Accept": "application/json"},
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        raise ServiceTokenError(
            None, f"Could not reach the token endpoint {token_url}: {why_unreachable(exc)}"
        ) from exc
    body = _json(response)
    if response.status_code != 200:
        error = body.get("error")
        error = error if isinstance(error, str) else None
        detail = body.get("error_description") or error or response.text[:200]
        raise ServiceTokenError(
            response.status_code,
            f"token endpoint answered {response.status_code}: {detail}",
            error=error,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    token, token_type = body.get("access_token"), str(body.get("token_type", ""))
    if not isinstance(token, str) or not token or token_type.lower() != "bearer":
        raise ServiceTokenError(200, "token endpoint returned no bearer access_token")
    expires_in = body.get("expires_in", DEFAULT_EXPIRES_IN)
    if isinstance(expires_in, str) and expires_in.isascii() and expires_in.isdigit():
        expires_in = int(expires_in)  # some platforms send a string
    if not isinstance(expires_in, int | float) or isinstance(expires_in, bool):
        expires_in = DEFAULT_EXPIRES_IN
    return token, int(expires_in)


def _json(response: requests.Response) -> dict[str, object]:
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
