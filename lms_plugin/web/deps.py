"""Typed access to what create_app() put in ``app.extensions``."""

from __future__ import annotations

import logging
from collections.abc import Callable

import requests
from flask import current_app
from sqlalchemy.orm import Session

from lms_plugin.db import db
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.platform_keys import PlatformKeys
from lms_plugin.lti.tenants import TenantDirectory
from lms_plugin.settings import Settings

log = logging.getLogger(__name__)


def session() -> Session:
    """The request's SQLAlchemy session, made on first use: ``db.session`` is the scoped proxy,
    so a request that never queries (a login or launch served from the cache) never opens one."""
    return db.session  # type: ignore[return-value]


def settings() -> Settings:
    return current_app.extensions["lms_settings"]  # type: ignore[no-any-return]


def store() -> KeyValueStore:
    return current_app.extensions["lms_store"]  # type: ignore[no-any-return]


def tenants() -> TenantDirectory:
    return current_app.extensions["lms_tenants"]  # type: ignore[no-any-return]


def http() -> requests.Session:
    """The one HTTP client for calls to LMSs (keep-alive, our User-Agent)."""
    return current_app.extensions["lms_http"]  # type: ignore[no-any-return]


def platform_keys() -> PlatformKeys:
    return current_app.extensions["lms_platform_keys"]  # type: ignore[no-any-return]


def enqueue(send: Callable[..., None], *ids: int) -> None:
    """Dispatch a task after the commit; if the broker is down, the person's request still
    succeeds and the work is picked up from the database later."""
    try:
        send(settings(), *ids)
    except Exception:  # any broker failure: logged, never shown as an error to the learner
        log.warning(
            "could not enqueue %s%s; the beat will pick it up", send.__name__, ids, exc_info=True
        )


def ring(doorbell: Callable[[Settings, KeyValueStore], None]) -> None:
    """Wake a drain after the commit (see worker.dispatch); failures as in :func:`enqueue`."""
    try:
        doorbell(settings(), store())
    except Exception:  # the store or the broker is down: the beat drains later
        log.warning("could not ring %s; the beat will drain", doorbell.__name__, exc_info=True)
