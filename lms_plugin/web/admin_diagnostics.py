"""The diagnostics page of one platform (admin blueprint): its keyset, a token self-test, the
clock skew, the last refused launches and the score outbox, with resending."""

from __future__ import annotations

from flask import redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin import __version__
from lms_plugin.db.base import MAX_ID
from lms_plugin.domain.tool_urls import unreachable_from
from lms_plugin.lti.outbound import Answer, Outbound
from lms_plugin.services import admin_diagnostics, admin_failures, admin_outbox, admin_platforms
from lms_plugin.web import admin_auth, deps
from lms_plugin.web.admin import admin_link, bp
from lms_plugin.web.deps import ring
from worker import dispatch


@bp.get("/platforms/<int:registration_id>")
def diagnostics(registration_id: int) -> str:
    """Run the checks against the platform now and show them with what the tool recorded."""
    viewer, session = admin_auth.viewer(), deps.session()
    registration = admin_platforms.platform(session, viewer.scope, registration_id)
    settings = deps.settings()
    diagnosis = admin_diagnostics.diagnose(
        registration,
        fetch=_fetch,
        session=session,
        store=deps.store(),
        http=deps.http(),
        timeout=settings.http_timeout_seconds,
        leeway=settings.launch_leeway_seconds,
        clock=admin_auth.clock(),
    )
    return render_template(
        "admin/diagnostics.html",
        platform=registration,
        diagnosis=diagnosis,
        cut_off=unreachable_from(registration.auth_token_url, settings.public_url),
        tool_url=settings.public_url,
        refusals=admin_failures.recent(deps.store(), registration.id),
        outbox=admin_outbox.counts(session, registration.id),
        problems=admin_outbox.problems(session, registration.id),
        resent=request.args.get("resent", type=int),
    )


def _fetch(url: str) -> Answer:
    """GET the keyset within lti.outbound's limits: private and loopback addresses only
    where the settings allow them (LMS_ALLOW_PRIVATE_HOSTS; allowed outside production)."""
    settings = deps.settings()
    outbound = Outbound(
        allow_private=bool(settings.allow_private_hosts),
        budget=settings.http_timeout_seconds,
        user_agent=f"isp-lms-plugin/{__version__}",
    )
    return outbound.request("GET", url, headers={"Accept": "application/json"})


@bp.post("/platforms/<int:registration_id>/scores/resend")
def resend(registration_id: int) -> BaseResponse:
    """Queue the chosen failed scores of this platform's courses again."""
    viewer, session = admin_auth.viewer(), deps.session()
    registration = admin_platforms.platform(session, viewer.scope, registration_id)
    ids = [
        int(v)
        for v in request.form.getlist("outbox_id")
        if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID
    ]
    queued = admin_outbox.resend(session, registration.id, ids)
    if queued:
        ring(dispatch.publish_scores)
    return redirect(
        admin_link("admin.diagnostics", registration_id=registration.id, resent=len(queued)),
        code=303,
    )
