"""The cohort dashboard of an instructor's course, its roster sync and the revocation of
credentials earned in it. Routes on the instructor blueprint (instructors only, CSRF checked)."""

from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.db.grading import JobRun
from lms_plugin.domain.credential_urls import CredentialUrls
from lms_plugin.domain.errors import ConflictError, InvalidInputError, LmsError
from lms_plugin.services import credentials, roster, service_urls
from lms_plugin.services.content import current_content
from lms_plugin.web import deps, launch_session
from lms_plugin.web.deps import enqueue
from lms_plugin.web.instructor import bp
from worker import dispatch


def _context_id() -> int:
    record = launch_session.current()
    if record.context_id is None:
        raise InvalidInputError("Open the tool from a course to see its cohort.")
    return record.context_id


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
