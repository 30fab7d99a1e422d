"""Validate an LTI 1.3 launch completely (Security Framework §5.1.3; LTI 1.3 Core §5).

pylti1p3 starts the login (``lti.login``) and builds Deep Linking responses, but its
``MessageLaunch.validate()`` skips several checks (audience, azp, iat age, nonce binding,
single-use state, algorithm pinning, pending deployments), so the launch is validated here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.models import Deployment
from lms_plugin.domain import launch as rules
from lms_plugin.domain.errors import LaunchError
from lms_plugin.kv import Get, KeyValueStore
from lms_plugin.lti import jws
from lms_plugin.lti.adapters import CookieJar, LtiRequest
from lms_plugin.lti.launch_state import claim_nonce, consume_state
from lms_plugin.lti.platform_keys import PlatformKeys
from lms_plugin.lti.tenants import DeploymentInfo, RegistrationInfo, TenantDirectory


@dataclass(frozen=True)
class LaunchPolicy:
    tool_url: str
    time: rules.TimePolicy
    allowed_message_types: frozenset[str]


@dataclass(frozen=True)
class ValidatedLaunch:
    context: rules.LaunchContext
    registration: RegistrationInfo
    deployment: DeploymentInfo
    claims: Mapping[str, Any]
    prefetched: list[str | None]  # what ``prefetch`` asked for, read with the tenant


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
) -> ValidatedLaunch:
    """Every check, in an order that stores nothing before the signature is verified.

    ``prefetch`` names store keys the caller will need (its caches, given the registration id
    and the checked claims); they are read in the same round trip as the tenant snapshot.
    """
    id_token, state = form.get("id_token"), form.get("state")
    if not state:
        raise LaunchError("state_missing")
    if not id_token:
        raise LaunchError("id_token_missing")
    bound = consume_state(store, state)
    if bound is None:
        raise LaunchError("state_unknown")
    request = LtiRequest(form, cookies, secure)
    jar = CookieJar(request)
    if jar.get_cookie(state) != state:
        # Third-party cookies blocked in the LMS iframe: offer the same launch in a new window,
        # where the cookie is first-party (the platform starts a fresh login there).
        restart = urlencode({**bound.restart, "lti1p3_new_window": "1"})
        raise LaunchError(
            "state_cookie_mismatch", retry_url=f"{policy.tool_url.rstrip('/')}/lti/login?{restart}"
        )

    claims = _verify_signature(id_token, _header(id_token), bound.jwks_url, keys)
    if claims.get("iss") != bound.issuer:
        raise LaunchError("issuer_mismatch", f"got {claims.get('iss')!r}")
    rules.check_audience(claims, bound.client_id)
    rules.check_times(claims, time.time(), policy.time)
    nonce = rules.check_nonce(claims, bound.nonce)
    context = rules.check_message(
        claims,
        client_id=bound.client_id,
        allowed_message_types=policy.allowed_message_types,
        tool_url=policy.tool_url,
    )
    # One round trip: the tenant snapshot, the caller's caches, and the nonce made single-use
    # (it is ours and bound to the state just consumed, so claiming it first is harmless).
    reads = tenants.launch_reads(bound.registration_id, context.deployment_id)
    wanted = [Get(key) for key in prefetch(bound.registration_id, context)]
    nonce_ttl = policy.time.max_age_seconds + 2 * policy.time.leeway_seconds
    *results, nonce_is_new = store.batch([*reads, *wanted, claim_nonce(nonce, nonce_ttl)])
    registration, known = tenants.for_launch(
        session, bound.registration_id, context.deployment_id, results[: len(reads)]
    )
    if (
        registration is None
        or not registration.active
        or (registration.issuer, registration.client_id) != (bound.issuer, bound.client_id)
    ):
        raise LaunchError("platform_inactive")
    if not nonce_is_new:
        raise LaunchError("nonce_replayed")
    deployment = _require_active(session, registration, known, context.deployment_id)
    return ValidatedLaunch(context, registration, deployment, claims, results[len(reads) :])


def _header(id_token: str) -> dict[str, Any]:
    """The JOSE header only: the payload is decoded once, when its signature is verified."""
    try:
        header = jws.header(id_token)
    except jws.MalformedToken as exc:
        raise LaunchError("id_token_malformed", str(exc)) from exc
    if header.get("alg") != "RS256":
        raise LaunchError("alg_not_allowed", f"alg {header.get('alg')!r}")
    if not header.get("kid"):
        raise LaunchError("kid_missing")
    return header


def _verify_signature(
    id_token: str, header: Mapping[str, Any], jwks_url: str, keys: PlatformKeys
) -> dict[str, Any]:
    # Times and audience are checked by domain.launch with our leeway; the signature here.
    key = keys.key_for(jwks_url, str(header["kid"]))
    try:
        return jws.verify_rs256(id_token, key)
    except jws.BadSignature as exc:
        raise LaunchError("bad_signature", str(exc)) from exc
    except jws.MalformedToken as exc:
        raise LaunchError("id_token_malformed", str(exc)) from exc


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
