"""The session after a launch: a server-side record, referenced three ways.

1. the ``lms_session`` cookie holding the launch token (``SameSite=None; Secure; Partitioned`` on
   HTTPS, so it works in the iframe); read only by requests that need the launch;
2. ``Authorization: Bearer <launch token>`` for the page's own API calls;
3. ``lh=<launch token>`` in links and forms, when the browser blocks the cookie in the iframe.
Forms authorised by the cookie also carry a CSRF token derived from the session id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict
from typing import Any

from flask import Response, after_this_request, g, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms_plugin.domain.errors import ForbiddenError, NotAuthenticatedError
from lms_plugin.domain.i18n import N_
from lms_plugin.services.launches import LaunchRecord
from lms_plugin.services.progress import Learner
from lms_plugin.web import deps
from lms_plugin.web.cookies import set_iframe_cookie

_SALT = "lms-launch-token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(deps.settings().secret_key, salt=_SALT)


COOKIE = "lms_session"


def start(record: LaunchRecord, summary: dict[str, Any], locale: str | None = None) -> str:
    """Store the launch, point the cookie at it, and return a launch token for the page.

    ``locale`` is the launch's language claim; it lives beside the summary, which is the
    documented ``GET /api/v1/me`` shape."""
    sid = secrets.token_urlsafe(32)
    settings = deps.settings()
    data = json.dumps({"record": asdict(record), "summary": summary, "locale": locale})
    deps.store().set("sess:" + sid, data, settings.session_ttl_seconds)
    token = str(_serializer().dumps(sid))
    g.lms_sid, g.lms_auth, g.lms_token = sid, "cookie", token

    @after_this_request
    def set_cookie(response: Response) -> Response:
        set_iframe_cookie(response, COOKIE, token)
        return response

    return token


def course_title() -> str | None:
    """The launch's course, as the LMS names it (its title, else its label), if any."""
    context = summary().get("context") or {}
    return context.get("title") or context.get("label")


def _load() -> dict[str, Any]:
    if "lms_launch" in g:
        return g.lms_launch  # type: ignore[no-any-return]
    sid, how = _sid_from_request()
    raw = deps.store().get("sess:" + sid) if sid else None
    if raw is None:
        raise NotAuthenticatedError(
            N_("No active launch. Open this activity from your course in the LMS.")
        )
    g.lms_launch, g.lms_sid, g.lms_auth = json.loads(raw), sid, how
    return g.lms_launch  # type: ignore[no-any-return]


def _sid_from_request() -> tuple[str | None, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return _unsign(header[7:]), "bearer"
    handle = request.values.get("lh")
    if handle:
        return _unsign(handle), "handle"
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None, "cookie"
    try:
        return _unsign(cookie), "cookie"
    except NotAuthenticatedError:  # an expired or foreign cookie is no launch at all
        return None, "cookie"


def _unsign(token: str) -> str:
    try:
        return str(_serializer().loads(token, max_age=deps.settings().session_ttl_seconds))
    except BadSignature:
        raise NotAuthenticatedError(N_("The launch token is not valid.")) from None


def current() -> LaunchRecord:
    """The launch of this request; 401 when there is none."""
    data = dict(_load()["record"])
    data["roles"] = tuple(data["roles"])
    return LaunchRecord(**data)


def summary() -> dict[str, Any]:
    """The launched user, roles, course and link as shown by ``GET /api/v1/me``."""
    return dict(_load()["summary"])


def update_summary(summary: dict[str, Any]) -> None:
    """Replace what the session remembers about the launch (e.g. a deep link, once used)."""
    data = _load()
    data["summary"] = summary
    _save(data)


def languages() -> tuple[str | None, str | None]:
    """(the language the person chose, the launch's locale claim); None where there is none."""
    data = _load()
    return data.get("language"), data.get("locale")


def choose_language(language: str) -> None:
    """Remember the language the person picked for the rest of this launch."""
    data = _load()
    data["language"] = language
    _save(data)


def _save(data: dict[str, Any]) -> None:
    deps.store().set("sess:" + g.lms_sid, json.dumps(data), deps.settings().session_ttl_seconds)


def learner() -> Learner:
    """The learner in this course; launches without a course context cannot hold work."""
    record = current()
    if record.context_id is None:
        raise ForbiddenError(
            N_("This launch has no course, so there is nothing to record work in.")
        )
    return Learner(context_id=record.context_id, user_id=record.user_id)


def require_instructor() -> LaunchRecord:
    record = current()
    if not record.is_staff:
        raise ForbiddenError(N_("This page is for instructors of the course."))
    return record


def csrf_token() -> str:
    _load()
    return hmac.new(
        deps.settings().secret_key.encode(), g.lms_sid.encode(), hashlib.sha256
    ).hexdigest()


def check_csrf() -> None:
    """State-changing requests authorised by the cookie must prove they come from our page."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    _load()
    if g.lms_auth != "cookie":
        return  # bearer tokens and launch handles are not sent by the browser on their own
    given = request.form.get("csrf") or request.headers.get("X-CSRF-Token", "")
    if not hmac.compare_digest(given, csrf_token()):
        raise ForbiddenError(
            N_("This form has expired. Reload the page and try again."), code="csrf_failed"
        )


def link(endpoint: str, **values: Any) -> str:
    """``url_for`` that keeps the launch handle when the cookie is not available."""
    if g.get("lms_auth") == "handle":
        values["lh"] = request.values.get("lh")
    return url_for(endpoint, **values)


def token() -> str:
    """A launch token for this session (for the page's API calls)."""
    _load()
    if "lms_token" not in g:
        g.lms_token = _serializer().dumps(g.lms_sid)
    return str(g.lms_token)
