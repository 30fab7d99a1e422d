"""Validate an LTI 1.3 launch completely (Security Framework §5.1.3; LTI 1.3 Core §5).

pylti1p3 parses the message and later serves AGS/NRPS/Deep Linking from it, but its own
``validate()`` skips several checks (audience, azp, iat age, nonce binding, single-use state,
algorithm pinning, pending deployments), so :class:`StrictMessageLaunch` replaces it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
from pylti1p3.message_launch import MessageLaunch
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.models import Deployment, Registration
from lms_plugin.domain import launch as rules
from lms_plugin.domain.errors import LaunchError
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.adapters import CookieJar, LtiRequest
from lms_plugin.lti.launch_state import (
    BoundState,
    ServerSideSession,
    consume_state,
    mark_nonce_used,
)
from lms_plugin.lti.platform_keys import PlatformKeys
from lms_plugin.lti.tool_config import DbToolConf


class StrictMessageLaunch(MessageLaunch[LtiRequest, DbToolConf, ServerSideSession, CookieJar]):
    """A pylti1p3 message whose JWT was already validated by :func:`validate_launch`."""

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)


@dataclass(frozen=True)
class LaunchPolicy:
    tool_url: str
    time: rules.TimePolicy
    allowed_message_types: frozenset[str]


@dataclass(frozen=True)
class ValidatedLaunch:
    context: rules.LaunchContext
    registration: Registration
    deployment: Deployment
    claims: Mapping[str, Any]
    message: StrictMessageLaunch


def validate_launch(
    form: Mapping[str, str],
    cookies: Mapping[str, str],
    *,
    secure: bool,
    session: Session,
    store: KeyValueStore,
    keys: PlatformKeys,
    policy: LaunchPolicy,
) -> ValidatedLaunch:
    """Every check, in an order that stores nothing before the signature is verified."""
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

    header, unverified = _parse(id_token)
    if unverified.get("iss") != bound.issuer:
        raise LaunchError("issuer_mismatch", f"got {unverified.get('iss')!r}")
    claims = _verify_signature(id_token, header, bound.jwks_url, keys)
    registration, deployment = _load_tenant(session, bound, claims)
    rules.check_audience(claims, registration.client_id)
    rules.check_times(claims, time.time(), policy.time)
    nonce = rules.check_nonce(claims, bound.nonce)
    context = rules.check_message(
        claims,
        client_id=registration.client_id,
        allowed_message_types=policy.allowed_message_types,
        tool_url=policy.tool_url,
    )
    nonce_ttl = policy.time.max_age_seconds + 2 * policy.time.leeway_seconds
    if not mark_nonce_used(store, nonce, nonce_ttl):
        raise LaunchError("nonce_replayed")
    deployment = _require_active(session, registration, deployment, context.deployment_id)

    # Hand the verified message to pylti1p3 so its services (AGS, NRPS, DL) can be used later.
    message = StrictMessageLaunch(
        request,
        DbToolConf(session),
        session_service=ServerSideSession(store, 1),
        cookie_service=jar,
        requests_session=keys.http,  # pylti1p3 would otherwise build a Session per launch
    )
    message.set_auto_validation(enable=False).set_jwt({"header": header, "body": claims})  # type: ignore[typeddict-item]
    return ValidatedLaunch(context, registration, deployment, claims, message)


def _parse(id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        unverified = jwt.api_jwt.decode_complete(id_token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise LaunchError("id_token_malformed", str(exc)) from exc
    header = unverified["header"]
    if header.get("alg") != "RS256":
        raise LaunchError("alg_not_allowed", f"alg {header.get('alg')!r}")
    if not header.get("kid"):
        raise LaunchError("kid_missing")
    return header, unverified["payload"]


def _verify_signature(
    id_token: str, header: Mapping[str, Any], jwks_url: str, keys: PlatformKeys
) -> dict[str, Any]:
    key = keys.key_for(jwks_url, str(header["kid"]))
    try:
        # Times and audience are checked by domain.launch with our leeway; the signature here.
        return jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            options={
                "verify_aud": False,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_iss": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise LaunchError("bad_signature", str(exc)) from exc


def _load_tenant(
    session: Session, bound: BoundState, claims: Mapping[str, Any]
) -> tuple[Registration, Deployment | None]:
    """One query: the login's registration (still registered and active) and the deployment."""
    deployment_id = claims.get(rules.CLAIM + "deployment_id")
    row = session.execute(
        select(Registration, Deployment)
        .outerjoin(
            Deployment,
            (Deployment.registration_id == Registration.id)
            & (Deployment.deployment_id == str(deployment_id)),
        )
        .where(Registration.id == bound.registration_id)
    ).first()
    if row is None or not row[0].active or row[0].issuer != bound.issuer:
        raise LaunchError("platform_inactive")
    return row[0], row[1]


def _require_active(
    session: Session, registration: Registration, deployment: Deployment | None, deployment_id: str
) -> Deployment:
    """A known, active deployment; an unknown one is recorded as pending and refused."""
    if deployment is None:
        deployment = Deployment(
            registration=registration,
            deployment_id=deployment_id,
            status="pending",
            created_at=utcnow(),
        )
        session.add(deployment)
        try:
            session.commit()
        except IntegrityError:  # recorded by a concurrent launch; it is pending either way
            session.rollback()
    if deployment.status != "active":
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
