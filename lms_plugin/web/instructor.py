"""Instructor pages: the rubric review queue, the gradebook sync status of their course, the
cohort and the revocation of credentials earned in the course."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.db.base import MAX_ID
from lms_plugin.db.grading import JobRun
from lms_plugin.domain.credential_urls import CredentialUrls
from lms_plugin.domain.errors import ConflictError, InvalidInputError, LmsError
from lms_plugin.services import cohort as cohort_service
from lms_plugin.services import credentials, passback, reviews, roster, service_urls
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


@bp.get("/cohort")
def cohort(error: LmsError | None = None) -> BaseResponse | str:
    """Every learner's progress, who has stalled, their credentials earned in this course, and
    the roster sync from the LMS."""
    context_id = _context_id()
    content = current_content(deps.session())
    latest_job = (
        deps.session()
        .scalars(
            select(JobRun)
            .filter_by(context_id=context_id, kind="roster_sync")
            .order_by(JobRun.id.desc())
            .limit(1)
        )
        .first()
    )
    page = render_template(
        "instructor/cohort.html",
        content=content,
        job=latest_job,
        lines=roster.cohort(deps.session(), content, context_id),
        notices=service_urls.notices(deps.session(), context_id, "roster"),
        awards=credentials.course_awards(deps.session(), context_id),
        badge_names={p.slug: p.badge.name for p in content.programs},
        revoked=request.args.get("revoked"),
        error=error,
    )
    return page if error is None else BaseResponse(page, status=error.status, mimetype="text/html")


@bp.post("/credentials/<credential_id>/revoke")
def revoke_credential(credential_id: str) -> BaseResponse | str:
    """Revoke a credential earned in this course, with the reason the learner will read (only
    this course's: another's is not found). The status list is signed again at once."""
    context_id = _context_id()
    record, me = launch_session.current(), launch_session.summary()
    who = me["user"].get("name") or me["user"].get("sub")
    course = (me.get("context") or {}).get("title") or "this course"
    try:
        credentials.revoke(
            deps.session(),
            CredentialUrls(deps.settings().public_url),
            credential_id,
            request.form.get("reason", ""),
            f"instructor {who} (user {record.user_id}) in {course}",
            context_id=context_id,
        )
    except (InvalidInputError, ConflictError) as exc:  # the page again, saying why
        deps.session().rollback()
        return cohort(exc)
    done = credentials.parse_credential_id(credential_id)
    return redirect(launch_session.link("instructor.cohort", revoked=done), code=303)


@bp.post("/roster/sync")
def sync_roster() -> BaseResponse:
    """Start the course's roster sync, or join the one running (its progress is shown)."""
    started = roster.start_roster_sync(deps.session(), _context_id())
    if started.new:
        enqueue(dispatch.sync_roster, started.job.id)
    return redirect(launch_session.link("instructor.cohort"), code=303)


@bp.get("/jobs/<int:job_id>")
def job_status(job_id: int) -> Response:
    """A long job's progress as JSON (the cohort page polls it)."""
    found = roster.job(deps.session(), _context_id(), job_id)
    return jsonify(
        id=found.id,
        kind=found.kind,
        status=found.status,
        done=found.done,
        total=found.total,
        result=found.result,
    )


@bp.post("/scores/resend")
def resend() -> BaseResponse:
    ids = _ids(request.form.getlist("outbox_id"))
    if passback.resend(deps.session(), _context_id(), ids):
        ring(dispatch.publish_scores)
    return redirect(launch_session.link("instructor.dashboard", status="all"), code=303)


def _ids(values: list[str]) -> list[int]:
    """The database ids among form values (anything else cannot name a row: ignored)."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]
