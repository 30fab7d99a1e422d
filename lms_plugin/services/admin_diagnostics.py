"""Checks an admin runs against one platform: its keyset (JWKS reachable, keys usable for
launches), a client-credentials token request (what every grade and roster call starts with),
and the clock skew between the platform and us, read from its HTTP ``Date`` header.

The keyset is fetched with ``fetch`` (the web passes ``lti.outbound``: public addresses only
unless the settings allow private ones) and each key is judged by ``lti.platform_keys``, as a
launch would; the token comes from ``lti.service_token``, as the AGS and NRPS clients get it.
Results are data (codes, numbers and the technical detail); the pages say them in words.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy.orm import Session

from lms_plugin.db.models import Registration
from lms_plugin.domain.errors import LmsError
from lms_plugin.domain.platform_profiles import profile
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.ags import SCORE_SCOPE
from lms_plugin.lti.outbound import Answer
from lms_plugin.lti.platform_keys import usable_key
from lms_plugin.lti.service_token import ServiceTokenError, access_token
from lms_plugin.lti.tool_config import active_key

Fetch = Callable[[str], Answer]
Clock = Callable[[], float]


@dataclass(frozen=True)
class KeyLine:
    kid: str
    kty: str
    alg: str
    problem: str | None  # None: a launch signed with it would verify


@dataclass(frozen=True)
class JwksCheck:
    ok: bool
    url: str
    status: int | None = None  # the HTTP status, when the platform answered
    error: str | None = None  # what went wrong, in the tool's words (never the answer's body)
    keys: tuple[KeyLine, ...] = ()


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    url: str
    lms_status: int | None = None
    oauth_error: str | None = None  # e.g. invalid_client, invalid_scope (RFC 6749 §5.2)
    error: str | None = None


@dataclass(frozen=True)
class SkewCheck:
    seconds: int | None  # platform minus us; None: no Date header to read
    leeway: int  # what launches tolerate (LMS_LAUNCH_LEEWAY_SECONDS)

    @property
    def ok(self) -> bool:
        return self.seconds is not None and abs(self.seconds) <= self.leeway


@dataclass(frozen=True)
class Diagnosis:
    jwks: JwksCheck
    token: TokenCheck
    skew: SkewCheck


def diagnose(
    registration: Registration,
    *,
    fetch: Fetch,
    session: Session,
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
    leeway: int,
    clock: Clock = time.time,
) -> Diagnosis:
    """All three checks, one after the other (each bounded by its own timeout)."""
    jwks, date, midpoint = check_jwks(registration.jwks_url, fetch, clock)
    token = check_token(registration, session=session, store=store, http=http, timeout=timeout)
    return Diagnosis(jwks, token, SkewCheck(skew_seconds(date, midpoint), leeway))


def check_jwks(
    url: str, fetch: Fetch, clock: Clock = time.time
) -> tuple[JwksCheck, str | None, float]:
    """The keyset check, the answer's Date header and our time halfway through the request."""
    before = clock()
    try:
        answer = fetch(url)
    except LmsError as exc:
        return JwksCheck(False, url, error=exc.message), None, before
    midpoint = (before + clock()) / 2
    if answer.status != 200:
        return JwksCheck(False, url, answer.status, f"HTTP {answer.status}"), answer.date, midpoint
    try:
        keyset = json.loads(answer.body)
    except (ValueError, RecursionError):
        return JwksCheck(False, url, 200, "the answer is not JSON"), answer.date, midpoint
    if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
        return JwksCheck(False, url, 200, "the answer is not a JWKS"), answer.date, midpoint
    keys = tuple(_judge(jwk) for jwk in keyset["keys"])
    ok = any(key.problem is None for key in keys)
    error = None if ok else "no key in it can verify a launch"
    return JwksCheck(ok, url, 200, error, keys), answer.date, midpoint


def _judge(jwk: Any) -> KeyLine:
    if not isinstance(jwk, dict):
        return KeyLine("", "", "", "not a JSON object")
    kid, kty, alg = (str(jwk.get(name, ""))[:100] for name in ("kid", "kty", "alg"))
    problem = None if kid else "no kid"
    try:
        usable_key(jwk)
    except LmsError as exc:
        problem = exc.message
    return KeyLine(kid, kty, alg, problem)


def check_token(
    registration: Registration,
    *,
    session: Session,
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
) -> TokenCheck:
    """Ask the platform's token endpoint for a fresh score-scope token (Security §4.1)."""
    url = registration.auth_token_url
    key = active_key(session)
    if key is None:
        return TokenCheck(False, url, error="the tool has no active key: run lms-plugin db upgrade")
    try:
        access_token(
            client_id=registration.client_id,
            token_url=url,
            signing_key=lambda: (key.kid, key.private_key_pem),
            scopes=(SCORE_SCOPE,),
            store=store,
            http=http,
            timeout=timeout,
            force_refresh=True,  # a self-test: not the token some worker cached earlier
            audience=profile(registration.product).token_audience,  # as the workers ask
        )
    except ServiceTokenError as exc:
        return TokenCheck(False, url, exc.lms_status, exc.error, exc.message)
    return TokenCheck(True, url, 200)


def skew_seconds(date: str | None, midpoint: float) -> int | None:
    """The platform's clock minus ours, from its Date header (whole seconds, so the true time
    is in [Date, Date + 1): take the middle); None without a readable header."""
    if not date:
        return None
    try:
        when = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
    return round(when.timestamp() + 0.5 - midpoint)
