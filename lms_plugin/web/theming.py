"""The deployment's theme on every page of a launch, its files, the favicon, and local times.

The pages allow no inline style (CSP ``style-src 'self'``), so a theme's accent colour is a tiny
stylesheet of its own, named by the colour itself: ``/theme/accent/0b5cad.css``. Only colours
that keep WCAG 2.2 AA contrast are served (domain.theme), so no URL can make the pages
unreadable. Logos are served by their SHA-256 from the database, never from another host.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, g, request, url_for
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.theme import check_accent, strong_shade
from lms_plugin.services.theming import logo_by_digest, theme_of
from lms_plugin.web import deps, launch_session
from lms_plugin.web.i18n import utc_text

log = logging.getLogger(__name__)
bp = Blueprint("theming", __name__)

FOREVER = "public, max-age=31536000, immutable"  # every URL here names its content
# A logo opened on its own (not as an <img>) must not run anything on this origin: an SVG
# could carry script that the cleaning missed (CSP Level 3 §6.3.2 sandbox).
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@dataclass(frozen=True)
class ThemeView:
    """The header's institution name and logo, and the accent stylesheet, when set."""

    name: str | None
    logo_url: str | None
    css_url: str | None


@bp.get("/theme/accent/<colour>.css")
def accent_css(colour: str) -> Response:
    """``:root`` custom properties for an accent colour that passes AA (else 404)."""
    try:
        accent = check_accent("#" + colour)
    except InvalidInputError:
        abort(404)
    if accent != "#" + colour:
        abort(404)  # one URL per colour: lower-case, six digits
    body = f":root {{ --accent: {accent}; --accent-strong: {strong_shade(accent)}; }}\n"
    response = Response(body, mimetype="text/css")
    response.headers["Cache-Control"] = FOREVER
    return response


@bp.get("/theme/logo/<digest>")
def logo(digest: str) -> Response:
    """A stored logo by its SHA-256; the digest is the ETag and the URL never changes."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        abort(404)
    found = logo_by_digest(deps.session(), digest)
    if found is None:
        abort(404)
    data, content_type = found
    response = Response(data, mimetype=content_type)
    response.set_etag(digest)
    response.headers["Cache-Control"] = FOREVER
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["Content-Disposition"] = "inline"
    response.make_conditional(request)
    return response


_ICON_TYPES = {"ico": "image/vnd.microsoft.icon", "svg": "image/svg+xml"}


@bp.get("/favicon.<any(ico, svg):kind>")
def favicon(kind: str) -> Response:
    """The tool's icon, also what browsers ask /favicon.ico for on pages opened outside the
    LMS. Sent from memory: browsers drop icon requests as they navigate, and a dropped
    response must leave no open file behind."""
    response = Response(_icon(kind), mimetype=_ICON_TYPES[kind])
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.add_etag()
    response.make_conditional(request)
    return response


@functools.cache
def _icon(kind: str) -> bytes:
    return (Path(current_app.static_folder or "") / f"favicon.{kind}").read_bytes()


def current_theme() -> ThemeView | None:
    """The theme of this request's launch (None outside a launch, or with no theme set)."""
    if "lms_theme" in g:
        return g.lms_theme  # type: ignore[no-any-return]
    g.lms_theme = None
    # Only a launch this request has already loaded: an error page about a missing or broken
    # launch must not look it up again.
    if "lms_launch" not in g:
        return None
    try:
        theme = theme_of(deps.session(), launch_session.current().deployment_id)
    except SQLAlchemyError:  # a page (maybe a 500 page) still renders, in the tool's own look
        log.warning("theme not read; the page shows the tool's own look", exc_info=True)
        deps.session().rollback()
        return None
    if theme is not None:
        g.lms_theme = ThemeView(
            name=theme.institution_name,
            logo_url=url_for("theming.logo", digest=theme.logo_sha256)
            if theme.logo_sha256
            else None,
            css_url=url_for("theming.accent_css", colour=theme.accent[1:])
            if theme.accent
            else None,
        )
    return g.lms_theme  # type: ignore[no-any-return]


def local_time(moment: datetime | None, style: str = "datetime") -> Markup:
    """``<time>`` with the UTC moment and a UTC fallback text; static/frame.js shows it in the
    browser's time zone and the page's language. ``style``: ``datetime``, ``date`` or ``time``."""
    if moment is None:
        return Markup("")
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    text = utc_text(moment, style)  # in the page's language
    return Markup('<time datetime="{}" data-local="{}">{}</time>').format(
        moment.isoformat(timespec="seconds"), escape(style), text
    )


def init_app(app: Flask) -> None:
    """Serve the theme's files and give templates ``theme()`` and ``local_time()``."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(theme=current_theme, local_time=local_time)
