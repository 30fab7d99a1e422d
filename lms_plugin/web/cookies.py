"""Cookies that work inside an LMS iframe, and no Flask cookie session.

Inside the iframe our cookies are third-party: on HTTPS they must be ``SameSite=None; Secure;
Partitioned`` (CHIPS); plain-HTTP development can only use ``Lax`` cookies. The launch lives
server-side (``launch_session``), so Flask's signed cookie session is switched off: nothing is
parsed or signed on requests that do not need the launch.
"""

from __future__ import annotations

from flask import Flask, Request, request
from flask.sessions import NullSession, SessionInterface
from werkzeug.wrappers import Response

from lms_plugin.web import deps


def set_iframe_cookie(
    response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    secure = deps.settings().uses_https
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=cookie_path(),
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )


def cookie_path(below: str = "/") -> str:
    """A cookie's path, under the path the tool is served at (``web/under_path.py``): other
    applications of a shared host do not receive the tool's cookies."""
    if below == "/":
        return request.script_root or "/"
    return request.script_root + below


class NoCookieSession(SessionInterface):
    """``flask.session`` is never used: it is a null session that refuses writes."""

    def open_session(self, app: Flask, request: Request) -> NullSession:
        return self.make_null_session(app)

    def save_session(self, app: Flask, session: object, response: Response) -> None:
        return None
