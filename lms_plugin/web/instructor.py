"""Instructor pages: the rubric review queue and the gradebook sync status of their course. The
cohort dashboard, roster sync and credential revocation are in web/cohort.py, on this blueprint."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.db.base import MAX_ID
from lms_plugin.domain.errors import InvalidInputError, LmsError
from lms_plugin.services import cohort as cohort_service
from lms_plugin.services import passback, reviews, service_urls
from lms_plugin.services.content import current_content, module_version
from lms_plugin.web import deps, launch_session
from lms_plugin.web.deps import enqueue, ring
from worker import dispatch

bp = Blueprint("instructor", __name__, url_prefix="/instructor")
bp.before_request(launch_session.check_csrf)


@bp.before_request
def _instructors_only() -> None:
    launch_session.require_instructor()


def _context_id() -> int:
    record = launch_session.current()
    if record.context_id is None:
        raise InvalidInputError("Open the tool from a course to review its submissions.")
    return record.context_id


@bp.get("/")
def dashboard() -> str:
    context_id = _context_id()
    status = request.args.get("status", "submitted")
    queue = reviews.review_queue(deps.session(), context_id, None if status == "all" else status)
    content = current_content(deps.session())
    titles = {m.slug: m.title for p in content.programs for m in p.modules}
    return render_template(
        "instructor/dashboard.html",
        queue=queue,
        status=status,
        titles=titles,
        scores=cohort_service.score_lines(deps.session(), context_id),
        notices=service_urls.notices(deps.session(), context_id, "grades"),
    )


@bp.route("/reviews/<int:submission_id>", methods=["GET", "POST"])
def review(submission_id: int) -> BaseResponse | str:
    context_id = _context_id()
    submission = reviews.get_submission(deps.session(), context_id, submission_id)
    module = module_version(deps.session(), submission.module_id)
    error = None
    if request.method == "POST":
        assert module.assignment is not None
        try:
            scores = {
                c.id: _level(request.form.get(f"c-{c.id}")) for c in module.assignment.criteria
            }
            done = reviews.record_review(
                deps.session(),
                context_id=context_id,
                reviewer_id=launch_session.current().user_id,
                submission_id=submission_id,
                scores=scores,
                feedback=request.form.get("feedback", ""),
                decision=request.form.get("decision", ""),
            )
        except LmsError as exc:
            error = exc
        else:
            enqueue(dispatch.finalize_review, done.id)
            return redirect(launch_session.link("instructor.dashboard"), code=303)
    page = render_template(
        "instructor/review.html",
        submission=submission,
        module=module,
        assignment=module.assignment,
        error=error,
        form=request.form,
        existing=reviews.review_of(deps.session(), submission.id),
        earlier=reviews.earlier_rounds(deps.session(), submission),
    )
    return page if error is None else BaseResponse(page, status=error.status, mimetype="text/html")


def _level(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        raise InvalidInputError("Choose a level (1-4) for every criterion.") from None


@bp.post("/scores/resend")
def resend() -> BaseResponse:
    ids = _ids(request.form.getlist("outbox_id"))
    if passback.resend(deps.session(), _context_id(), ids):
        ring(dispatch.publish_scores)
    return redirect(launch_session.link("instructor.dashboard", status="all"), code=303)


def _ids(values: list[str]) -> list[int]:
    """The database ids among form values (anything else cannot name a row: ignored)."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]


from lms_plugin.web import cohort as _cohort  # noqa: E402, F401  (its routes are on bp)
