"""Build the service clients (AGS, NRPS) for one registration; our active key signs the token
request (Security Framework §4.1), and the token goes only to the registration's service hosts."""

from __future__ import annotations

import requests
from sqlalchemy.orm import Session

from lms_plugin.db.models import Registration
from lms_plugin.domain.platform_profiles import profile
from lms_plugin.domain.service_urls import ServicePolicy
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.ags import AgsClient
from lms_plugin.lti.nrps import NrpsClient
from lms_plugin.lti.service_token import TokenSource, token_source
from lms_plugin.lti.tool_config import active_key


def service_policy(registration: Registration, *, require_https: bool) -> ServicePolicy:
    """Where this platform's token may go: the hosts of its own URLs and its allowed hosts."""
    own = (
        registration.issuer,
        registration.auth_login_url,
        registration.auth_token_url,
        registration.jwks_url,
    )
    return ServicePolicy.of(own, registration.service_hosts or (), require_https=require_https)


def ags_client(
    registration: Registration,
    *,
    session: Session,
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
    require_https: bool,
) -> AgsClient:
    """Line item and score calls for one registration."""
    return AgsClient(
        http,
        _token_source(registration, session, store, http, timeout),
        timeout,
        allowed=service_policy(registration, require_https=require_https),
    )


def nrps_client(
    registration: Registration,
    *,
    session: Session,
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
    require_https: bool,
) -> NrpsClient:
    """Roster calls for one registration."""
    return NrpsClient(
        http,
        _token_source(registration, session, store, http, timeout),
        timeout,
        allowed=service_policy(registration, require_https=require_https),
    )


def _token_source(
    registration: Registration,
    session: Session,
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
) -> TokenSource:
    def signing_key() -> tuple[str, str]:  # asked only when no token is cached
        # No autoflush: a pending change of the caller (a line item URL) must not take the
        # write lock now, while the token is cached by another connection (SQLite).
        with session.no_autoflush:
            key = active_key(session)
        if key is None:
            raise RuntimeError("no active tool key: run lms-plugin db upgrade")
        return key.kid, key.private_key_pem

    return token_source(
        client_id=registration.client_id,
        token_url=registration.auth_token_url,
        signing_key=signing_key,
        store=store,
        http=http,
        timeout=timeout,
        audience=profile(registration.product).token_audience,  # Brightspace's own
    )
