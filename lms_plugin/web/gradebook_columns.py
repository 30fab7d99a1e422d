"""Which gradebook columns the course's scores go to, and the instructor's per-module switch.
Routes on the instructor blueprint (instructors only, CSRF checked)."""

from __future__ import annotations

from flask import redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.services import gradebook_columns
from lms_plugin.web import deps, launch_session
from lms_plugin.web.deps import ring
from lms_plugin.web.instructor import bp, context_id
from worker import dispatch


@bp.get("/gradebook/columns")
def gradebook_columns_page() -> str:
    """Each column that receives scores, what it receives and how many reached the LMS."""
    overview = gradebook_columns.overview(deps.session(), context_id())
    return render_template(
        "instructor/gradebook_columns.html",
        overview=overview,
        filled=request.args.get("filled", type=int),
    )


@bp.post("/gradebook/module-columns")
def module_columns() -> BaseResponse:
    """Turn per-module columns on (filled at once with every learner's grade) or off."""
    choice = request.form.get("on")
    if choice not in ("0", "1"):
        raise InvalidInputError(_("Choose whether every module gets a gradebook column."))
    queued = gradebook_columns.set_module_columns(deps.session(), context_id(), choice == "1")
    if queued:
        ring(dispatch.publish_scores)
    target = launch_session.link("instructor.gradebook_columns_page", filled=len(queued))
    return redirect(target, code=303)
