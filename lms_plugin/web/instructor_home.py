"""The instructor's course home (where an instructor launch lands) and the gradebook sync page.
Routes on the instructor blueprint (instructors only, CSRF checked)."""

from __future__ import annotations

from flask import redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.db.base import MAX_ID, utcnow
from lms_plugin.domain.gradebook import CERTIFICATE
from lms_plugin.services import (
    cohort,
    instructor_home,
    passback,
    practice_log,
    review_queue,
    roster,
    service_urls,
)
from lms_plugin.services.content import CurrentContent, current_content
from lms_plugin.web import deps, launch_session
from lms_plugin.web.deps import ring
from lms_plugin.web.instructor import bp, context_id
from lms_plugin.web.roster_start import first_roster_sync
from worker import dispatch

SYNC_FILTERS = ("problems", "all")


@bp.get("/")
def home() -> str:
    """What needs the instructor in this course: reviews waiting, gradebook sync problems,
    the cohort in numbers, and a link to each; and the learner's view of the course."""
    course, session = context_id(), deps.session()
    first_roster_sync(course)
    content = current_content(session)
    module_slug = (launch_session.summary().get("resource_link") or {}).get("module_slug")
    return render_template(
        "instructor/home.html",
        content=content,
        titles=_titles(content),
        waiting=review_queue.waiting(session, course),
        failures=practice_log.failures_waiting(session, course),
        sync=instructor_home.sync_state(session, course),
        notices=service_urls.notices(session, course, "grades"),
        summary=instructor_home.cohort_summary(session, content, course),
        roster=roster.roster_state(session, course),
        issued=instructor_home.credentials_issued(session, course),
        link_module=_titles(content).get(module_slug) if module_slug else None,
        now=utcnow(),
    )


@bp.get("/gradebook")
def gradebook() -> str:
    """Every module grade and whether it reached the LMS gradebook; failed ones can be resent."""
    course, session = context_id(), deps.session()
    show = request.args.get("show", "all")
    lines = cohort.score_lines(session, course)
    if show == "problems":
        lines = [s for s in lines if s.sync == "failed" or (s.sync == "pending" and s.tries)]
    return render_template(
        "instructor/gradebook.html",
        scores=lines,
        show=show if show in SYNC_FILTERS else "all",
        sync=instructor_home.sync_state(session, course),
        titles=_titles(current_content(session)),
        certificate=CERTIFICATE,
        notices=service_urls.notices(session, course, "grades"),
        resent=request.args.get("resent", type=int),
    )


@bp.post("/scores/resend")
def resend() -> BaseResponse:
    """Queue the chosen failed scores again (only this course's)."""
    ids = _ids(request.form.getlist("outbox_id"))
    resent = passback.resend(deps.session(), context_id(), ids)
    if resent:
        ring(dispatch.publish_scores)
    return redirect(launch_session.link("instructor.gradebook", resent=len(resent)), code=303)


def _titles(content: CurrentContent) -> dict[str, str]:
    return {m.slug: m.title for p in content.programs for m in p.modules}


def _ids(values: list[str]) -> list[int]:
    """The database ids among form values (anything else cannot name a row: ignored)."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]
