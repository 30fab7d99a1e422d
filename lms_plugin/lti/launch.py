"""Validate an LTI 1.3 launch completely (Security Framework §5.1.3; LTI 1.3 Core §5).

pylti1p3 starts the login (``lti.login``) and builds Deep Linking responses, but its
``MessageLaunch.validate()`` skips several checks (audience, azp, iat age, nonce binding,
single-use state, algorithm pinning, pending deployments), so the launch is validated here:
PyJWT reads the compact JWS and verifies its RS256 signature (nothing else is accepted), and
``domain.launch`` checks every claim with our leeway and refusal codes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.models import Deployment
from lms_plugin.domain import launch as rules
from lms_plugin.domain.errors import LaunchError
from lms_plugin.edge_counts import UNCOUNTED, Budget
from lms_plugin.kv import Get, KeyValueStore, Op
from lms_plugin.lti.adapters import CookieJar, LtiRequest
from lms_plugin.lti.launch_state import (
    PlatformStorage,
    bound,
    claim_nonce,
    pop_state,
    registration_named_by,
)
from lms_plugin.lti.platform_keys import PlatformKeys
from lms_plugin.lti.tenants import DeploymentInfo, RegistrationInfo, TenantDirectory

# PyJWT reads the compact JWS once (form, base64url, JSON); its RS256 algorithm then verifies the
# signature over the same bytes, so the token is not parsed twice. Times, audience, issuer and
# subject are checked by domain.launch, with our leeway and refusal codes.
_RS256 = jwt.get_algorithm_by_name("RS256")
_MIN_RSA_BITS = 2048  # RFC 7518 §3.3: an RS256 key MUST have at least 2048 bits


@dataclass(frozen=True)
class LaunchPolicy:
    tool_url: str
    time: rules.TimePolicy
    allowed_message_types: frozenset[str]
    id_token_max_bytes: int = 65536  # Settings.id_token_max_bytes


@dataclass(frozen=True)
class BrowserCheck:
    """The state cookie did not come back (blocked in the LMS iframe), but the login put the
    state in the platform's storage: the page reads it back from there, in this browser, before
    it opens the tool. Refused there, it offers ``retry_url`` (a new window)."""

    storage: PlatformStorage
    state: str
    retry_url: str


@dataclass(frozen=True)
class ValidatedLaunch:
    context: rules.LaunchContext
    registration: RegistrationInfo
    deployment: DeploymentInfo
    claims: Mapping[str, Any]
    prefetched: list[str | None]  # what ``prefetch`` asked for, read with the tenant
    browser_check: BrowserCheck | None = None  # None: the state cookie came back


Prefetch = Callable[[int, rules.LaunchContext], Sequence[str]]


def validate_launch(
    form: Mapping[str, str],
    cookies: Mapping[str, str],
    *,
    secure: bool,
    session: Session,
    store: KeyValueStore,
    tenants: TenantDirectory,
    keys: PlatformKeys,
    policy: LaunchPolicy,
    prefetch: Prefetch = lambda registration_id, context: (),
    budget: Budget = UNCOUNTED,
) -> ValidatedLaunch:
    """Every check, in an order that stores nothing before the signature is verified.

    ``prefetch`` names store keys the caller will need (its caches, given the registration id
    and the checked claims); they are read in the same round trip as the tenant snapshot.
    That round trip is normally the one that pops the state: its reads are named from what
    the token claims before it is verified, and used only if the verified launch names the
    same keys (otherwise they are read again, after the checks). The client address's count
    (``budget``) goes in it too and is settled first: past the limit, the launch is refused
    before its signature is checked (its state is spent, as a refused launch's is).
    """
    id_token, state = form.get("id_token"), form.get("state")
    if not state:
        raise LaunchError("state_missing")
    if not id_token:
        raise LaunchError("id_token_missing")
    unverified = _read_token(id_token, policy.id_token_max_bytes)
    nonce_ttl = policy.time.max_age_seconds + 2 * policy.time.leeway_seconds
    ahead = _read_ahead(state, unverified.claims, policy, tenants, prefetch, nonce_ttl)
    counts = budget.ops
    replies = store.batch([*counts, pop_state(state), *(ahead.ops if ahead else ())])
    budget.settle(replies[: len(counts)])
    popped, *results = replies[len(counts) :]
    record = bound(popped)
    if record is None:
        raise LaunchError("state_unknown")
    browser_check = None
    if CookieJar(LtiRequest(form, cookies, secure)).get_cookie(state) != state:
        # Third-party cookies blocked in the LMS iframe: the same launch in a new window has
        # the cookie first-party (the platform starts a fresh login there).
        restart = urlencode({**record.restart, "lti1p3_new_window": "1"})
        retry_url = f"{policy.tool_url.rstrip('/')}/lti/login?{restart}"
        if record.storage is None:
            raise LaunchError("state_cookie_mismatch", retry_url=retry_url)
        browser_check = BrowserCheck(record.storage, state, retry_url)

    claims = _verify_signature(unverified, record.jwks_url, keys)
    if claims.get("iss") != record.issuer:
        raise LaunchError("issuer_mismatch", f"got {claims.get('iss')!r}")
    rules.check_audience(claims, record.client_id)
    rules.check_times(claims, time.time(), policy.time)
    nonce = rules.check_nonce(claims, record.nonce)
    context = rules.check_message(
        claims,
        client_id=record.client_id,
        allowed_message_types=policy.allowed_message_types,
        tool_url=policy.tool_url,
    )
    if ahead is None or (ahead.registration_id, ahead.context, ahead.nonce) != (
        record.registration_id,
        context,
        nonce,
    ):
        # The reads ahead named other keys (or none): read what this launch needs now, and
        # make the nonce single-use (it is ours and bound to the state just consumed).
        ahead = _ReadAhead.of(record.registration_id, context, nonce, tenants, prefetch, nonce_ttl)
        results = store.batch(ahead.ops)
    registration, known = tenants.for_launch(
        session, record.registration_id, context.deployment_id, results[: ahead.tenant_reads]
    )
    if (
        registration is None
        or not registration.active
        or (registration.issuer, registration.client_id) != (record.issuer, record.client_id)
    ):
        raise LaunchError("platform_inactive")
    if not results[-1]:
        raise LaunchError("nonce_replayed")
    deployment = _require_active(session, registration, known, context.deployment_id)
    prefetched = results[ahead.tenant_reads : -1]
    return ValidatedLaunch(context, registration, deployment, claims, prefetched, browser_check)


@dataclass(frozen=True)
class _ReadAhead:
    """The launch's store ops after the state: tenant snapshot, the caller's caches, and the
    nonce claim (its result is last), for the keys one registration, context and nonce name."""

    registration_id: int
    context: rules.LaunchContext
    nonce: str
    ops: list[Op]
    tenant_reads: int

    @classmethod
    def of(
        cls,
        registration_id: int,
        context: rules.LaunchContext,
        nonce: str,
        tenants: TenantDirectory,
        prefetch: Prefetch,
        nonce_ttl: int,
    ) -> _ReadAhead:
        reads = tenants.launch_reads(registration_id, context.deployment_id)
        wanted = [Get(key) for key in prefetch(registration_id, context)]
        ops: list[Op] = [*reads, *wanted, claim_nonce(nonce, nonce_ttl)]
        return cls(registration_id, context, nonce, ops, len(reads))


@dataclass(frozen=True)
class _Unverified:
    """The id_token's key id and claims, read before its signature is verified, and what the
    signature covers (RFC 7515 §5.2: the encoded header and payload) with the signature."""

    kid: str
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _read_token(id_token: str, max_bytes: int) -> _Unverified:
    """Refuse an oversized token before parsing it, then one that is not a compact JWS
    (RFC 7515 §7.1) signed with RS256 by a key it names (Security Framework §5.1.3, §6.3)."""
    size = len(id_token.encode())
    if size > max_bytes:
        raise LaunchError("id_token_too_large", f"{size} bytes, at most {max_bytes}")
    try:
        token = jwt.decode_complete(id_token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise LaunchError("id_token_malformed", str(exc)) from exc
    header = token["header"]
    if header.get("alg") != "RS256":
        raise LaunchError("alg_not_allowed", f"alg {header.get('alg')!r}")
    if not header.get("kid"):  # PyJWT has checked that a kid is a string
        raise LaunchError("kid_missing")
    signing_input = id_token.rsplit(".", 1)[0].encode()
    return _Unverified(header["kid"], token["payload"], signing_input, token["signature"])


def _read_ahead(
    state: str,
    claims: Mapping[str, Any],
    policy: LaunchPolicy,
    tenants: TenantDirectory,
    prefetch: Prefetch,
    nonce_ttl: int,
) -> _ReadAhead | None:
    """The ops a launch will need, named from the state and the unverified claims, so they go
    with the state pop; None when they cannot be named (the checks then say why)."""
    registration_id = registration_named_by(state)
    if registration_id is None:
        return None
    nonce, audience = claims.get("nonce"), claims.get("aud")
    if isinstance(audience, list):  # anything malformed here is refused by the checks later
        audience = audience[0] if audience else None
    client_id = claims.get("azp") or audience
    if not isinstance(nonce, str) or not nonce or not isinstance(client_id, str):
        return None
    try:
        context = rules.check_message(
            claims,
            client_id=client_id,
            allowed_message_types=policy.allowed_message_types,
            tool_url=policy.tool_url,
        )
    except LaunchError:
        return None
    return _ReadAhead.of(registration_id, context, nonce, tenants, prefetch, nonce_ttl)


def _verify_signature(token: _Unverified, jwks_url: str, keys: PlatformKeys) -> dict[str, Any]:
    """The claims, once the RS256 signature verifies with the platform's key ``token.kid``."""
    key = keys.key_for(jwks_url, token.kid)
    if key.key_size < _MIN_RSA_BITS:
        raise LaunchError("alg_not_allowed", f"key {token.kid!r}: {key.key_size} bits")
    if not _RS256.verify(token.signing_input, key, token.signature):
        raise LaunchError("bad_signature", "Signature verification failed")
    return token.claims


def _require_active(
    session: Session,
    registration: RegistrationInfo,
    deployment: DeploymentInfo | None,
    deployment_id: str,
) -> DeploymentInfo:
    """A known, active deployment; an unknown one is recorded as pending and refused."""
    if deployment is None:
        session.add(
            Deployment(
                registration_id=registration.id,
                deployment_id=deployment_id,
                status="pending",
                created_at=utcnow(),
            )
        )
        try:
            session.commit()
        except IntegrityError:  # recorded by a concurrent launch; it is pending either way
            session.rollback()
    if deployment is not None and deployment.status == "disabled":  # by an admin (/admin/)
        raise LaunchError("deployment_disabled", f"deployment {deployment_id!r}")
    if deployment is None or deployment.status != "active":
        raise LaunchError(
            "deployment_pending",
            f"deployment {deployment_id!r} of {registration.name}",
            hint=(
                "An admin activates it with: lms-plugin deployments activate "
                f"--issuer {registration.issuer} --client-id {registration.client_id} "
                f"--deployment-id {deployment_id}"
            ),
        )
    return deployment
