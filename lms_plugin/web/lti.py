"""LTI endpoints: OIDC login (GET and POST), launch (POST), the launch's browser confirmation,
and our public JWKS."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

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
from lms_plugin.domain.i18n import N_
from lms_plugin.domain.launch import (
    DEEP_LINKING,
    RESOURCE_LINK,
    SUBMISSION_REVIEW,
    LaunchContext,
    TimePolicy,
)
from lms_plugin.lti import pending_launch
from lms_plugin.lti.deep_linking import settings_from
from lms_plugin.lti.launch import LaunchPolicy, ValidatedLaunch, validate_launch
from lms_plugin.lti.launch_state import PlatformStorage
from lms_plugin.lti.login import begin_login
from lms_plugin.lti.pending_launch import PendingLaunch
from lms_plugin.lti.tenants import DeploymentInfo, RegistrationInfo
from lms_plugin.services import keys
from lms_plugin.services.launches import LaunchRecord, record_launch, rows_key
from lms_plugin.services.submission_review import ReviewTarget, review_target
from lms_plugin.web import deps, launch_session, rate_limits
from lms_plugin.web.cookies import cookie_path, set_iframe_cookie
from lms_plugin.web.views import launch_summary

bp = Blueprint("lti", __name__, url_prefix="/lti")

# Submission Review (from the LMS gradebook to the learner's work) passes every check a
# resource link launch does, and more (domain.launch: for_user, the reviewed line item).
LAUNCH_MESSAGE_TYPES = frozenset({RESOURCE_LINK, DEEP_LINKING, SUBMISSION_REVIEW})


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse:
    """Third-party initiated login (LTI 1.3 Core §4.1): bind state + nonce, redirect to the LMS."""
    settings = deps.settings()
    with rate_limits.counted() as budget:
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
            budget=budget,
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
        id_token_max_bytes=settings.id_token_max_bytes,
    )
    with rate_limits.counted() as budget:
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
            budget=budget,
        )
    deep_link = _deep_link(validated)
    check = validated.browser_check
    if check is not None:
        # No state cookie: nothing is recorded and no session starts until this browser has
        # read the state back from the platform's storage (see lti.pending_launch).
        handle = pending_launch.park(
            deps.store(),
            PendingLaunch(
                state=check.state,
                retry_url=check.retry_url,
                context=validated.context,
                registration=validated.registration,
                deployment=validated.deployment,
                deep_link=deep_link,
                cached_rows=validated.prefetched[0],
            ),
        )
        return _platform_storage_page(
            "get", check.storage, check.state, handle=handle, retry_url=check.retry_url
        )
    response = _open_tool(
        validated.context,
        validated.registration,
        validated.deployment,
        deep_link,
        cached_rows=validated.prefetched[0],
    )
    response.delete_cookie(f"lti1p3-{request.form['state']}", path=cookie_path())
    return response


@bp.post("/launch/continue")
def launch_continue() -> BaseResponse:
    """The check page read the launch's state back from the platform's storage in this
    browser: record the launch and open the tool (once per launch)."""
    _require_same_origin()
    pending = pending_launch.take(
        deps.store(), request.form.get("handle", ""), request.form.get("state", "")
    )
    return _open_tool(
        pending.context,
        pending.registration,
        pending.deployment,
        pending.deep_link,
        cached_rows=pending.cached_rows,
    )


def _deep_link(validated: ValidatedLaunch) -> dict[str, Any] | None:
    """A deep linking request's settings, for the picker; only instructors may answer it."""
    if validated.context.message_type != DEEP_LINKING:
        return None
    if validated.context.access.value == "learner":
        raise ForbiddenError(N_("Only instructors can add activities from this tool."))
    return {
        "settings": settings_from(validated.claims),
        "deployment_id": validated.context.deployment_id,
    }


def _open_tool(
    context: LaunchContext,
    registration: RegistrationInfo,
    deployment: DeploymentInfo,
    deep_link: dict[str, Any] | None,
    *,
    cached_rows: str | None,
) -> BaseResponse:
    """Record the launch's rows, start the session, and send the browser to the tool."""
    record = record_launch(
        deps.session(),
        deployment,
        context,
        deps.store(),
        cached=cached_rows,
        require_https=deps.settings().is_production,  # service URLs (AGS, NRPS) need https
    )
    summary = launch_summary(record, context, registration)
    if deep_link is not None:
        summary["deep_link"] = deep_link
    values: dict[str, Any] = {}
    if deep_link is not None:
        endpoint = "deep_link.picker"
    elif context.message_type == SUBMISSION_REVIEW:  # refused before any session starts
        endpoint, values = _review_landing(review_target(deps.session(), record, context))
    else:
        endpoint = _landing(record)
    token = launch_session.start(record, summary, context.locale)
    # The launch handle in the URL carries the session where the browser blocks the cookie
    # inside the LMS iframe.
    return redirect(url_for(endpoint, lh=token, **values), code=303)


def _review_landing(target: ReviewTarget) -> tuple[str, dict[str, Any]]:
    """The page a submission review opens (services.submission_review says which)."""
    if target.kind == "submission":
        return "instructor.review", {"submission_id": target.submission_id}
    if target.kind == "learner" and target.module_slug:
        return "instructor.learner_module_page", {
            "user_id": target.user_id,
            "slug": target.module_slug,
        }
    if target.kind == "learner":
        return "instructor.cohort", {}
    if target.kind in ("own", "own_assignment"):
        page = "player.assignment" if target.kind == "own_assignment" else "player.module"
        return page, {"slug": target.module_slug}
    return "player.home", {}


def _landing(record: LaunchRecord) -> str:
    """Where a resource link launch opens: the course's staff their instructor home, learners
    the player. A launch without a course has no instructor pages."""
    return "instructor.home" if record.staff_of_course else "player.home"


def _require_same_origin() -> None:
    """Only the check page, on our own origin, may confirm a launch: a form posted from another
    site (login CSRF with a handle someone obtained for their own launch) is refused."""
    public = urlsplit(deps.settings().public_url)
    if request.headers.get("Origin") != f"{public.scheme}://{public.netloc}":
        raise ForbiddenError(
            N_(
                "This launch can only be confirmed by the tool's own page. Open the activity "
                "again from your course."
            ),
            code="cross_site_request",
        )


def _platform_storage_page(
    mode: str,
    storage: PlatformStorage,
    state: str,
    *,
    next_url: str | None = None,
    handle: str | None = None,
    retry_url: str | None = None,
) -> Response:
    """A page that talks to the platform's storage frame (LTI Client Side postMessages): at
    login it puts the state there and goes on to ``next_url``; at launch it reads it back and,
    only if it matches, posts it with the pending launch's ``handle`` to confirm the launch."""
    page = render_template(
        "lti/platform_storage.html",
        mode=mode,
        storage=storage,
        key=storage.key(state),
        value=state,
        next_url=next_url,
        handle=handle,
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
