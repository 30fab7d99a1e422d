"""The admin pages (/admin/): sign-in with a one-time link, platform registrations and their
deployments, the signing keys. The per-platform diagnostics live in web/admin_diagnostics.py.

Every page but the sign-in ones needs an admin (web/admin_auth.py): an admin session opened by
``lms-plugin admin link`` (every platform) or an LMS administrator's launch (its own platform
only). Every POST is CSRF checked. Pages opened with a link are never framed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.domain import platform_profiles
from lms_plugin.domain.errors import LAUNCH_ERRORS, ForbiddenError, InvalidInputError
from lms_plugin.domain.tool_urls import ToolUrls, is_loopback_url, unreachable_from
from lms_plugin.services import admin_access, admin_keys, admin_platforms
from lms_plugin.web import admin_auth, deps, launch_session
from lms_plugin.web.admin_auth import AdminSignInRequired

bp = Blueprint("admin", __name__, url_prefix="/admin")
SIGN_IN = frozenset({"admin.sign_in", "admin.sign_in_link", "admin.redeem"})


@bp.before_request
def _admins_only() -> None:
    if request.endpoint in SIGN_IN:
        return
    admin_auth.viewer()
    admin_auth.check_csrf()


@bp.after_request
def _headers(response: BaseResponse) -> BaseResponse:
    response.headers["Cache-Control"] = "no-store"
    if g.get("lms_admin") is None or g.lms_admin.via == "link":  # a browser tab: never framed
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'"
        )
    return response


@bp.context_processor
def _globals() -> dict[str, Any]:
    return {
        "admin": g.get("lms_admin"),
        "admin_csrf": admin_auth.csrf_token,
        "refusal_reason": _refusal_reason,
        "product_title": _product_title,
    }


def _product_title(product: str) -> str:
    """The LMS product a registration was made for, as people name it ("other": any platform)."""
    if product == platform_profiles.OTHER:
        return str(_("Any LTI 1.3 platform"))
    return platform_profiles.profile(product).title


def _refusal_reason(code: str) -> str:
    """The sentence a refused launch showed, for a launch refusal code ("" for other codes)."""
    found = LAUNCH_ERRORS.get(code)
    return found[1] if found else ""


@bp.errorhandler(AdminSignInRequired)
def _sign_in_page(error: AdminSignInRequired) -> tuple[str, int]:
    return render_template("admin/sign_in.html", problem=None), 401


# --- signing in --------------------------------------------------------------------------
@bp.get("/sign-in")
def sign_in() -> str:
    """How to sign in (where the 401 page points)."""
    return render_template("admin/sign_in.html", problem=None)


@bp.get("/sign-in/<token>")
def sign_in_link(token: str) -> str:
    """The page a one-time link opens: a button that uses it. A GET consumes nothing, so a
    link previewer or scanner opening the URL cannot spend it."""
    return render_template("admin/sign_in_link.html", token=token)


@bp.post("/sign-in")
def redeem() -> BaseResponse | tuple[str, int]:
    """Use the link (once, before it expires) and open an admin session."""
    _require_same_origin()
    token = request.form.get("token", "")
    if not admin_access.redeem_link(deps.store(), token, clock=admin_auth.clock()):
        problem = _("This sign-in link has expired or was already used.")
        return render_template("admin/sign_in.html", problem=problem), 401
    response = redirect(admin_link("admin.home"), code=303)
    admin_auth.open_session(response)
    return response


@bp.post("/sign-out")
def sign_out() -> BaseResponse:
    response = redirect(admin_link("admin.sign_in"), code=303)
    admin_auth.close_session(response)
    return response


def _require_same_origin() -> None:
    """A browser's POST names its origin: only our own sign-in page may use a link."""
    origin = request.headers.get("Origin")
    public = urlsplit(deps.settings().public_url)
    if origin is not None and origin != f"{public.scheme}://{public.netloc}":
        raise ForbiddenError(_("Sign in from the tool's own page."), code="cross_site_request")


def admin_link(endpoint: str, **values: Any) -> str:
    """A URL on the admin pages that keeps the launch handle where the cookie is blocked."""
    return launch_session.link(endpoint, **values)


# --- registrations and deployments -------------------------------------------------------
@bp.get("/")
def home() -> str:
    """Every platform in view with its deployments, and what to do about pending ones."""
    viewer = admin_auth.viewer()
    public_url = deps.settings().public_url
    platforms = admin_platforms.platforms(deps.session(), viewer.scope)
    return render_template(
        "admin/home.html",
        platforms=platforms,
        done=request.args.get("done"),
        tool_urls=ToolUrls.at(public_url),  # for another LMS's registration
        only_here=is_loopback_url(public_url),
        # The LMS's server fetches the tool's keyset before it grants a grade's token.
        cut_off={p.id for p in platforms if unreachable_from(p.auth_token_url, public_url)},
    )


@bp.post("/deployments/<int:deployment_id>/activate")
def activate(deployment_id: int) -> BaseResponse:
    """Trust a deployment (``lms-plugin deployments activate``)."""
    viewer = admin_auth.viewer()
    admin_platforms.activate(deps.session(), deps.tenants(), viewer.scope, deployment_id)
    return redirect(admin_link("admin.home", done="activated"), code=303)


@bp.get("/deployments/<int:deployment_id>/disable")
def disable_confirm(deployment_id: int) -> str:
    """What disabling does, and the button that does it. An LMS administrator who launched
    from this very deployment is told that it shuts them out too, once their session ends."""
    viewer = admin_auth.viewer()
    row = admin_platforms.deployment(deps.session(), viewer.scope, deployment_id)
    return render_template("admin/disable.html", deployment=row, own=viewer.deployment == row.id)


@bp.post("/deployments/<int:deployment_id>/disable")
def disable(deployment_id: int) -> BaseResponse:
    """Refuse a deployment's launches from now on (``lms-plugin deployments disable``)."""
    viewer = admin_auth.viewer()
    if request.form.get("confirm") != "yes":
        raise InvalidInputError(_("Confirm disabling the deployment to go on."))
    admin_platforms.disable(deps.session(), deps.tenants(), viewer.scope, deployment_id)
    return redirect(admin_link("admin.home", done="disabled"), code=303)


# --- keys ----------------------------------------------------------------------------------
@bp.get("/keys")
def keys() -> str:
    return render_template(
        "admin/keys.html",
        keys=admin_keys.key_lines(deps.session()),
        rotated=request.args.get("rotated"),
    )


@bp.get("/keys/rotate")
def rotate_confirm() -> str:
    """What a rotation does, and the button that does it."""
    return render_template("admin/rotate.html", purpose=_purpose(request.args.get("purpose")))


@bp.post("/keys/rotate")
def rotate() -> BaseResponse:
    """``lms-plugin keys rotate [--purpose credentials]``: only with a CLI link, since the keys
    serve every platform, not only the one an LMS administrator launched from."""
    if not admin_auth.viewer().sees_everything:
        raise ForbiddenError(
            _("Keys serve every platform: rotate them with a sign-in link from the server."),
            code="admin_scope",
        )
    purpose = _purpose(request.form.get("purpose"))
    if request.form.get("confirm") != "yes":
        raise InvalidInputError(_("Confirm the rotation to go on."))
    admin_keys.rotate(deps.session(), purpose)
    return redirect(admin_link("admin.keys", rotated=purpose), code=303)


def _purpose(value: str | None) -> admin_keys.Purpose:
    for purpose in admin_keys.PURPOSES:
        if value == purpose:
            return purpose
    raise InvalidInputError(_("Choose which keys: lti or credentials."))


def init_app(app: Flask) -> None:
    """The admin pages, and the record of refused launches their diagnostics show."""
    from lms_plugin.web import admin_diagnostics as _diagnostics  # noqa: F401 (its routes)
    from lms_plugin.web import admin_refusals

    app.register_blueprint(bp)
    app.after_request(admin_refusals.note)
