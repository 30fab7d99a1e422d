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
    _after_commit(send, settings(), *ids)


def ring(doorbell: Callable[[Settings, KeyValueStore], None]) -> None:
    """Wake a drain after the commit (see worker.dispatch); failures as in :func:`enqueue`."""
    _after_commit(doorbell, settings(), store())


def _after_commit(send: Callable[..., None], *args: object) -> None:
    try:
        send(*args)
    except Exception:  # the broker or store is down: logged, never shown as an error
        log.warning(
            "could not run %s; the beat will pick the work up", send.__name__, exc_info=True
        )
