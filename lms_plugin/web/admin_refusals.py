"""Remember refused logins and launches per registration (services.admin_failures), from the
answer the LTI endpoints gave: ``web/errors.py`` names the error code on ``g`` as it renders
any error, so no launch code is involved.

The registration is the one the login names (iss + client_id) or the one the launch's state
names (``state-<registration id>.``). Both are unverified when the launch is refused, so an
entry says which platform a refusal *claimed* to come from. A refusal naming no registered
platform is not kept: anyone can send those, and the anonymous edge stores nothing for an unknown
issuer or client (issue 12); the web log has them (``unknown_platform``). 429s are not kept
either (a flood would only push out the rest).
"""

from __future__ import annotations

import logging

from flask import g, request
from werkzeug.wrappers import Response

from lms_plugin.db.models import Registration
from lms_plugin.lti.launch_state import registration_named_by
from lms_plugin.services import admin_failures
from lms_plugin.web import deps

log = logging.getLogger(__name__)
LOGIN = "lti.login"
# Refused before any platform was looked up: oversized or naming no registration. Anyone can send
# these, and the edge keeps nothing for them (issue 12); the web log has each.
_ANONYMOUS = frozenset({"login_param_too_long", "unknown_platform"})
LAUNCHES = frozenset({"lti.launch", "lti.launch_continue"})
_LONGEST = 500  # a longer issuer or client id is no registration's: not looked up


def note(response: Response) -> Response:
    """After-request hook: record the refusal, if this answer is one; never fails the answer."""
    code = g.get("lms_error_code")
    endpoint = request.endpoint
    if not code or response.status_code < 400 or response.status_code == 429:
        return response
    if endpoint != LOGIN and endpoint not in LAUNCHES:
        return response
    try:
        _record(code, response.status_code, endpoint == LOGIN)
    except Exception:  # a diagnostic: the store or database being away must not show
        log.warning("could not record the refused launch (%s)", code, exc_info=True)
    return response


def _record(code: str, status: int, login: bool) -> None:
    store = deps.store()
    if login and code in _ANONYMOUS:
        return
    if login:
        issuer, client_id = request.values.get("iss"), request.values.get("client_id")
        registration_id = _registration_of(issuer, client_id)
    else:  # a body over the route's limit cannot be read (reading it would raise 413 again)
        registration_id = _named_by_state(request.form.get("state", "") if status != 413 else "")
    if registration_id is not None:
        admin_failures.record(store, registration_id, code, status)


def _registration_of(issuer: str | None, client_id: str | None) -> int | None:
    if not issuer or len(issuer) > _LONGEST or len(client_id or "") > _LONGEST:
        return None
    found = deps.tenants().registration(deps.session(), issuer, client_id)
    return found.id if found is not None else None


def _named_by_state(state: str) -> int | None:
    registration_id = registration_named_by(state) if state else None
    if registration_id is None:
        return None
    return registration_id if deps.session().get(Registration, registration_id) else None
