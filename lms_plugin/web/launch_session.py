"""The session after a launch: a server-side record, referenced by cookie or bearer token.

Inside an LMS iframe the cookie may be blocked (third-party cookie rules), so the launch page
also receives a signed launch token that pages send back as ``Authorization: Bearer``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict
from typing import Any

from flask import g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms_plugin.domain.errors import ForbiddenError, NotAuthenticatedError
from lms_plugin.services.launches import LaunchRecord
from lms_plugin.web import deps

_SALT = "lms-launch-token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(deps.settings().secret_key, salt=_SALT)


def start(record: LaunchRecord, summary: dict[str, Any]) -> str:
    """Store the launch, point the cookie at it, and return a bearer token for the page."""
    sid = secrets.token_urlsafe(32)
    ttl = deps.settings().session_ttl_seconds
    deps.store().set("sess:" + sid, json.dumps({"record": asdict(record), "summary": summary}), ttl)
    session.clear()
    session["sid"] = sid
    return _serializer().dumps(sid)


def _load() -> dict[str, Any]:
    if "lms_launch" in g:
        return g.lms_launch  # type: ignore[no-any-return]
    sid = _sid_from_bearer() or session.get("sid")
    raw = deps.store().get("sess:" + sid) if sid else None
    if raw is None:
        raise NotAuthenticatedError(
            "No active launch. Open this activity from your course in the LMS."
        )
    g.lms_launch = json.loads(raw)
    return g.lms_launch  # type: ignore[no-any-return]


def current() -> LaunchRecord:
    """The launch of this request, from bearer token or cookie; 401 when there is none."""
    data = dict(_load()["record"])
    data["roles"] = tuple(data["roles"])
    return LaunchRecord(**data)


def summary() -> dict[str, Any]:
    """The launched user, roles, course and link as shown by ``GET /api/v1/me``."""
    return dict(_load()["summary"])


def require_instructor() -> LaunchRecord:
    record = current()
    if record.access not in ("instructor", "admin"):
        raise ForbiddenError("This page is for instructors of the course.")
    return record


def _sid_from_bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    try:
        sid = _serializer().loads(header[7:], max_age=deps.settings().session_ttl_seconds)
    except BadSignature:
        raise NotAuthenticatedError("The launch token is not valid.") from None
    return str(sid)
