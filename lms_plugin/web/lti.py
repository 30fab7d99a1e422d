"""LTI endpoints: OIDC login (GET and POST), launch (POST), and our public JWKS."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.domain.errors import ForbiddenError
from lms_plugin.domain.launch import DEEP_LINKING, RESOURCE_LINK, TimePolicy
from lms_plugin.lti.deep_linking import settings_from
from lms_plugin.lti.launch import LaunchPolicy, validate_launch
from lms_plugin.lti.launch_state import PlatformStorage
from lms_plugin.lti.login import begin_login
from lms_plugin.services import keys
from lms_plugin.services.launches import record_launch, rows_key
from lms_plugin.web import deps, launch_session
from lms_plugin.web.cookies import set_iframe_cookie
from lms_plugin.web.views import launch_summary

bp = Blueprint("lti", __name__, url_prefix="/lti")

LAUNCH_MESSAGE_TYPES = frozenset({RESOURCE_LINK, DEEP_LINKING})


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse:
    """Third-party initiated login (LTI 1.3 Core §4.1): bind state + nonce, redirect to the LMS."""
    settings = deps.settings()
    result = begin_login(
        request.values.to_dict(),
        request.cookies,
        secure=request.is_secure,
        session=deps.session(),
        store=deps.store(),
        tenants=deps.tenants(),
        tool_url=settings.public_url,
        state_ttl=settings.launch_state_ttl_seconds,
        max_param_bytes=settings.login_param_max_bytes,
    )
    if result.storage is None:
        response = redirect(result.redirect_url, code=302)
    else:  # also put the state in the platform's storage frame, then go on to the platform
        response = _platform_storage_page(
            "put", result.storage, result.state, next_url=result.redirect_url
        )
    for cookie in result.cookies:
        set_iframe_cookie(response, cookie.name, cookie.value, cookie.max_age)
    return response


@bp.post("/launch")
def launch() -> BaseResponse:
    """The id_token form post (OIDC response_mode=form_post): validate, record, open the tool."""
    settings = deps.settings()
    policy = LaunchPolicy(
        tool_url=settings.public_url,
        time=TimePolicy(settings.launch_leeway_seconds, settings.launch_max_token_age_seconds),
        allowed_message_types=LAUNCH_MESSAGE_TYPES,
    )
    validated = validate_launch(
        request.form.to_dict(),
        request.cookies,
        secure=request.is_secure,
        session=deps.session(),
        store=deps.store(),
        tenants=deps.tenants(),
        keys=deps.platform_keys(),
        policy=policy,
        prefetch=lambda registration_id, context: [rows_key(registration_id, context)],
    )
    deep_link = None
    if validated.context.message_type == DEEP_LINKING:  # an instructor adding activities
        if validated.context.access.value == "learner":
            raise ForbiddenError("Only instructors can add activities from this tool.")
        deep_link = {
            "settings": settings_from(validated.claims),
            "deployment_id": validated.context.deployment_id,
        }
    record = record_launch(
        deps.session(),
        validated.deployment,
        validated.context,
        deps.store(),
        cached=validated.prefetched[0],
        require_https=settings.is_production,  # service URLs (AGS, NRPS) need https
    )
    summary = launch_summary(record, validated.context, validated.registration)
    if deep_link is not None:
        summary["deep_link"] = deep_link
    token = launch_session.start(record, summary)
    # The launch handle in the URL carries the session where the browser blocks the cookie
    # inside the LMS iframe.
    endpoint = "deep_link.picker" if deep_link is not None else "player.home"
    check = validated.browser_check
    if check is not None:  # no state cookie: this browser confirms the state first
        return _platform_storage_page(
            "get",
            check.storage,
            check.state,
            next_url=url_for(endpoint, lh=token),
            retry_url=check.retry_url,
        )
    response = redirect(url_for(endpoint, lh=token), code=303)
    response.delete_cookie(f"lti1p3-{request.form['state']}", path="/")
    return response


def _platform_storage_page(
    mode: str,
    storage: PlatformStorage,
    state: str,
    *,
    next_url: str,
    retry_url: str | None = None,
) -> Response:
    """A page that talks to the platform's storage frame (LTI Client Side postMessages): at
    login it puts the state there, at launch it reads it back and goes on only if it matches."""
    page = render_template(
        "lti/platform_storage.html",
        mode=mode,
        storage=storage,
        key=storage.key(state),
        value=state,
        next_url=next_url,
        retry_url=retry_url,
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/jwks")
def jwks() -> Response:
    """Our public keys (active and next) for the platform to verify what we sign."""
    response = jsonify(keys.jwks(deps.session()))
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
