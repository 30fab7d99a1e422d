"""Who is looking at the admin pages, and the admin session's cookie and CSRF token.

Two ways in, never anonymous:

1. a one-time link from ``lms-plugin admin link`` opens an admin session (services.admin_access)
   held by the ``lms_admin`` cookie: HttpOnly, Secure on https, ``SameSite=Lax`` (the pages
   open in a browser tab, not in the LMS's iframe) and sent to ``/admin`` only. It sees every
   platform. Its forms carry a CSRF token derived from the session id.
2. an LMS launch whose roles give access "admin" (domain.roles: a system or institution
   Administrator) sees its own registration only; its forms are checked as every launch
   form is (web.launch_session).

Learners and instructors get 403; a request with neither gets the 401 sign-in page.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lms_plugin.domain.errors import ForbiddenError, NotAuthenticatedError
from lms_plugin.services import admin_access
from lms_plugin.web import deps, launch_session
from lms_plugin.web.cookies import cookie_path

COOKIE = "lms_admin"
COOKIE_PATH = "/admin"
CLOCK = "lms_admin_clock"  # app.extensions key: tests move the admin pages' clock


class AdminSignInRequired(NotAuthenticatedError):
    """No admin session and no launch: the sign-in page says how to get in."""

    code = "admin_sign_in"


@dataclass(frozen=True)
class AdminViewer:
    scope: int | None  # the launch's registration id; None: every platform (a CLI link)
    via: str  # "link" | "launch"
    deployment: int | None = None  # the launch's deployment (its row id), if via a launch

    @property
    def sees_everything(self) -> bool:
        return self.scope is None


def clock() -> Callable[[], float]:
    return current_app.extensions.get(CLOCK, time.time)  # type: ignore[no-any-return]


def viewer() -> AdminViewer:
    """The admin of this request: 401 without a session or launch, 403 for anyone not admin."""
    if "lms_admin" in g:
        return g.lms_admin  # type: ignore[no-any-return]
    sid = request.cookies.get(COOKIE, "")
    if sid and admin_access.session_is_open(deps.store(), sid, clock=clock()):
        g.lms_admin_sid = sid
        g.lms_admin = AdminViewer(None, "link")
        return g.lms_admin  # type: ignore[no-any-return]
    try:
        record = launch_session.current()
    except NotAuthenticatedError:
        raise AdminSignInRequired(_("Sign in to see the administration pages.")) from None
    if record.access != "admin":
        raise ForbiddenError(
            _("The administration pages are for your LMS's administrators."), code="admin_only"
        )
    g.lms_admin = AdminViewer(record.registration_id, "launch", record.deployment_id)
    return g.lms_admin  # type: ignore[no-any-return]


def csrf_token() -> str:
    """The token the admin pages' forms carry."""
    if viewer().via == "launch":
        return launch_session.csrf_token()
    secret = deps.settings().secret_key.encode()
    return hmac.new(secret, b"admin:" + g.lms_admin_sid.encode(), hashlib.sha256).hexdigest()


def check_csrf() -> None:
    """Every POST proves it comes from one of our admin pages."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if viewer().via == "launch":
        launch_session.check_csrf()
        return
    if not hmac.compare_digest(request.form.get("csrf", ""), csrf_token()):
        raise ForbiddenError(
            _("This form has expired. Reload the page and try again."), code="csrf_failed"
        )


def open_session(response: Response) -> None:
    """Start an admin session (after a link was redeemed) and set its cookie."""
    sid = admin_access.start_session(deps.store(), clock=clock())
    response.set_cookie(
        COOKIE,
        sid,
        max_age=admin_access.SESSION_SECONDS,
        path=cookie_path(COOKIE_PATH),
        httponly=True,
        secure=deps.settings().uses_https,
        samesite="Lax",
    )


def close_session(response: Response) -> None:
    """Sign out: the session ends in the store, the cookie is dropped."""
    sid = g.get("lms_admin_sid")
    if sid:
        admin_access.end_session(deps.store(), sid)
    response.delete_cookie(
        COOKIE,
        path=cookie_path(COOKIE_PATH),
        secure=deps.settings().uses_https,
        httponly=True,
        samesite="Lax",
    )
