"""What tasks hand to services: settings and the AGS/NRPS client factories, from the Flask app.
In production the clients call only https service URLs (domain.service_urls)."""

from __future__ import annotations

from flask import current_app

from lms_plugin.db import db
from lms_plugin.db.models import Registration
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.clients import ags_client, nrps_client
from lms_plugin.services.passback import AgsPort
from lms_plugin.services.roster import RosterPort
from lms_plugin.settings import Settings


def settings() -> Settings:
    return current_app.extensions["lms_settings"]  # type: ignore[no-any-return]


def store() -> KeyValueStore:
    return current_app.extensions["lms_store"]  # type: ignore[no-any-return]


def nrps_for(registration: Registration) -> RosterPort:
    return nrps_client(
        registration,
        session=db.session(),
        store=store(),
        http=current_app.extensions["lms_http"],
        timeout=settings().http_timeout_seconds,
        require_https=settings().is_production,
    )


def ags_for(registration: Registration) -> AgsPort:
    return ags_client(
        registration,
        session=db.session(),
        store=store(),
        http=current_app.extensions["lms_http"],
        timeout=settings().http_timeout_seconds,
        require_https=settings().is_production,
    )
