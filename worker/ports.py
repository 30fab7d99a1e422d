"""What tasks hand to services: settings, the AGS/NRPS client factories and the credential
issuer, from the Flask app. In production the clients call only https service URLs
(domain.service_urls)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, cast

from flask import current_app

from lms_plugin import metrics
from lms_plugin.db import db
from lms_plugin.db.models import Registration
from lms_plugin.domain.content.loader import load_catalogue
from lms_plugin.domain.content.model import Competency
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.clients import ags_client, nrps_client
from lms_plugin.lti.service_client import AgsError
from lms_plugin.paths import PROJECT_ROOT
from lms_plugin.services.issuer_keys import Issuer, issuer_from_settings
from lms_plugin.services.passback import AgsPort
from lms_plugin.services.roster import RosterPort
from lms_plugin.settings import Settings


def settings() -> Settings:
    return current_app.extensions["lms_settings"]  # type: ignore[no-any-return]


def store() -> KeyValueStore:
    return current_app.extensions["lms_store"]  # type: ignore[no-any-return]


def nrps_for(registration: Registration) -> RosterPort:
    client = nrps_client(
        registration,
        session=db.session(),
        store=store(),
        http=current_app.extensions["lms_http"],
        timeout=settings().http_timeout_seconds,
        require_https=settings().is_production,
    )
    return cast(RosterPort, Counted(client, registration.issuer, "nrps"))


def ags_for(registration: Registration) -> AgsPort:
    client = ags_client(
        registration,
        session=db.session(),
        store=store(),
        http=current_app.extensions["lms_http"],
        timeout=settings().http_timeout_seconds,
        require_https=settings().is_production,
    )
    return cast(AgsPort, Counted(client, registration.issuer, "ags"))


class Counted:
    """A service client whose failed calls are counted by platform, service and the LMS's
    status (lms_platform_call_failures_total); everything else passes through."""

    def __init__(self, client: object, platform: str, service: str) -> None:
        self._client = client
        self._labels = (platform, service)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute
        return self._counting(attribute)

    def _counting(self, call: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            try:
                return call(*args, **kwargs)
            except AgsError as exc:
                status = str(exc.lms_status) if exc.lms_status else exc.classification
                metrics.PLATFORM_CALL_FAILURES.labels(*self._labels, status).inc()
                raise

        return counted


def issuer() -> Issuer:
    """Who issues credentials (LMS_ISSUER_*), with the competency catalogue of courses/."""
    return issuer_from_settings(settings(), competencies())


@cache
def competencies() -> Mapping[str, Competency]:
    """courses/competencies.yaml by id, read once per process (the alignments of credentials)."""
    catalogue, problems = load_catalogue(PROJECT_ROOT / "courses")
    if catalogue is None:
        raise RuntimeError(f"courses/ does not load ({len(problems)} problems): run content lint")
    return {competency.id: competency for competency in catalogue.competencies}
