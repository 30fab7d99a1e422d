"""Build the service clients (AGS, NRPS) for one registration; our active key signs the token
request (Security Framework §4.1)."""

from __future__ import annotations

from collections.abc import Callable

import requests
from sqlalchemy.orm import Session

from lms_plugin.db.models import Registration
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.ags import AgsClient
from lms_plugin.lti.nrps import NrpsClient
from lms_plugin.lti.service_token import access_token
from lms_plugin.lti.tool_config import active_key

TokenSource = Callable[[tuple[str, ...], bool], str]


def ags_client(
    registration: Registration,
    *,
    session: Session,
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
) -> AgsClient:
    """Line item and score calls for one registration."""
    return AgsClient(http, _token_source(registration, session, store, http, timeout), timeout)


def nrps_client(
    registration: Registration,
    *,
    session: Session,
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
) -> NrpsClient:
    """Roster calls for one registration."""
    return NrpsClient(http, _token_source(registration, session, store, http, timeout), timeout)


def _token_source(
    registration: Registration,
    session: Session,
    store: KeyValueStore,
    http: requests.Session,
    timeout: float,
) -> TokenSource:
    key = active_key(session)
    if key is None:
        raise RuntimeError("no active tool key: run lms-plugin db upgrade")
    kid, pem = key.kid, key.private_key_pem
    client_id, token_url = registration.client_id, registration.auth_token_url

    def token(scopes: tuple[str, ...], force_refresh: bool) -> str:
        return access_token(
            client_id=client_id,
            token_url=token_url,
            kid=kid,
            private_key_pem=pem,
            scopes=scopes,
            store=store,
            http=http,
            timeout=timeout,
            force_refresh=force_refresh,
        )

    return token
