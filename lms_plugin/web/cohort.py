"""The cohort dashboard of an instructor's course (the grid, its statistics, the at-risk and
never-launched learners, the competency view, the CSV exports, the drill-down of a cell), its
roster sync, the revocation of credentials earned in it and the quiz attempts an instructor
adds for a learner. Routes on the instructor blueprint (instructors only, CSRF checked); every
query is scoped by the launch's course."""

from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.db.base import utcnow
from lms_plugin.domain import cohort as rules
from lms_plugin.domain.cohort_mastery import band
from lms_plugin.domain.cohort_query import ACTIVITY, PAGE_SIZES, GridQuery, parse_query
from lms_plugin.domain.credential_urls import CredentialUrls
from lms_plugin.domain.errors import ConflictError, InvalidInputError, LmsError
from lms_plugin.services import cohort_grid, credentials, extra_attempts, roster, service_urls
from lms_plugin.services.cohort import awards_of
from lms_plugin.services.cohort_competency import competency_view
from lms_plugin.services.cohort_learner import learner_module
from lms_plugin.services.content import CurrentContent, current_content
from lms_plugin.services.progress import Learner
from lms_plugin.web import cohort_charts, cohort_html, cohort_links, deps, launch_session
from lms_plugin.web.cohort_exports import competency_list, grid_csv, mastery_csv
from lms_plugin.web.instructor import bp, context_id
from lms_plugin.web.roster_start import dispatch_new, first_roster_sync


def _query(content: CurrentContent) -> GridQuery:
    levels = {m.slug: p.level for p in content.programs for m in p.modules}
    return parse_query(request.args, levels)


@bp.get("/cohort")
def cohort(error: LmsError | None = None) -> BaseResponse | str:
    """Who needs help, where, on which competency: the learners-by-modules grid (filtered,
    sorted, paged), per-module statistics, at risk, never launched, the roster sync, and each
    learner's credentials earned here (with revocation)."""
    course = context_id()
    session = deps.session()
    first_roster_sync(course)
    content = current_content(session)
    query = _query(content)
    now = utcnow()
    grid = cohort_grid.grid(session, content, course, query, now)
    page = render_template(
        "instructor/cohort.html",
        grid=grid,
        query=query,
        content=content,
        now=now,
        links=cohort_links.Links(query),
        html=cohort_html,
        charts=cohort_charts.module_charts(grid),
        module_stats=list(zip(grid.columns, grid.stats, strict=True)),
        bin_labels=[rules.bin_label(i) for i in range(rules.BINS)],
        states=rules.STATES,
        activity=ACTIVITY,
        page_sizes=PAGE_SIZES,
        risk_rule=rules.risk_rule(),
        roster=roster.roster_state(session, course),
        notices=service_urls.notices(session, course, "roster"),
        awards=awards_of(session, course, [row.user_id for row in grid.rows]),
        badge_names={p.slug: p.badge.name for p in content.programs},
        revoked=request.args.get("revoked"),
        error=error,
    )
    return page if error is None else BaseResponse(page, status=error.status, mimetype="text/html")


@bp.get("/cohort.csv")
def cohort_csv() -> Response:
    """The grid as CSV, with the page's filters and sort (every page), streamed."""
    course = context_id()
    content = current_content(deps.session())
    return grid_csv(deps.session(), content, course, _query(content), launch_session.course_title())


@bp.get("/cohort/competencies")
def competencies() -> str:
    """Mean mastery of each ISP competency for the (filtered) cohort, and each learner's."""
    course = context_id()
    session = deps.session()
    content = current_content(session)
    query = _query(content)
    shown = cohort_grid.columns(content, query)
    listed = competency_list()
    view = competency_view(session, course, shown, listed, query)
    return render_template(
        "instructor/competencies.html",
        view=view,
        query=query,
        content=content,
        links=cohort_links.Links(query, "instructor.competencies"),
        chart=cohort_charts.mastery_chart(view),
        band=band,
        states=rules.STATES,
        activity=ACTIVITY,
        page_sizes=PAGE_SIZES,
    )


@bp.get("/cohort/competencies.csv")
def competencies_csv() -> Response:
    """The competency view as CSV (every filtered learner), streamed."""
    course = context_id()
    content = current_content(deps.session())
    title = launch_session.course_title()
    return mastery_csv(deps.session(), content, course, _query(content), title)


@bp.get("/cohort/learners/<int:user_id>/modules/<slug>")
def learner_module_page(user_id: int, slug: str) -> str:
    """A cell's drill-down: the learner's lessons, attempts with answers, submissions with
    their reviews, grade and gradebook sync, and their other modules."""
    course = context_id()
    session = deps.session()
    content = current_content(session)
    found = learner_module(session, content, course, user_id, slug)
    query = GridQuery()
    shown = cohort_grid.columns(content, query)
    row = cohort_grid.LearnerRow(user_id, found.name, found.sub, found.email, 0, None, False)
    cohort_grid.fill_cells(session, course, shown, [row])
    return render_template(
        "instructor/learner_module.html",
        found=found,
        row=row,
        columns=shown,
        links=cohort_links.Links(query),
        code=next(c.code for c in shown if c.module.slug == slug),
        now=utcnow(),
        added=request.args.get("added"),
    )


@bp.post("/cohort/learners/<int:user_id>/modules/<slug>/extra-attempt")
def allow_extra_attempt(user_id: int, slug: str) -> BaseResponse:
    """Allow the learner one more attempt at the module's quiz (a form sent twice, one)."""
    course, session = context_id(), deps.session()
    current_content(session).find(slug)  # a module of the certificate, or 404
    number = request.form.get("number", "")
    if not (number.isascii() and number.isdigit()):
        raise InvalidInputError(_("Send the form of the learner's page."))
    extra_attempts.allow_one_more(
        session,
        Learner(course, user_id),
        slug,
        number=int(number),
        by_user_id=launch_session.current().user_id,
    )
    page = launch_session.link(
        "instructor.learner_module_page", user_id=user_id, slug=slug, added=number
    )
    return redirect(page + "#quiz-title", code=303)


@bp.post("/credentials/<credential_id>/revoke")
def revoke_credential(credential_id: str) -> BaseResponse | str:
    """Revoke a credential earned in this course, with the reason the learner will read (only
    this course's: another's is not found). The status list is signed again at once."""
    course = context_id()
    record, me = launch_session.current(), launch_session.summary()
    who = me["user"].get("name") or me["user"].get("sub")
    title = (me.get("context") or {}).get("title") or "this course"
    try:
        credentials.revoke(
            deps.session(),
            CredentialUrls(deps.settings().public_url),
            credential_id,
            request.form.get("reason", ""),
            f"instructor {who} (user {record.user_id}) in {title}",
            context_id=course,
        )
    except (InvalidInputError, ConflictError) as exc:  # the page again, saying why
        deps.session().rollback()
        return cohort(exc)
    done = credentials.parse_credential_id(credential_id)
    return redirect(launch_session.link("instructor.cohort", revoked=done), code=303)


@bp.post("/roster/sync")
def sync_roster() -> BaseResponse:
    """Start the course's roster sync, or join the one running (its progress is shown)."""
    dispatch_new(roster.start_roster_sync(deps.session(), context_id()))
    return redirect(launch_session.link("instructor.cohort", _anchor="roster"), code=303)


@bp.get("/jobs/<int:job_id>")
def job_status(job_id: int) -> Response:
    """A long job's progress as JSON (the cohort page polls it)."""
    found = roster.job(deps.session(), context_id(), job_id)
    return jsonify(
        id=found.id,
        kind=found.kind,
        status=found.status,
        done=found.done,
        total=found.total,
        result=found.result,
    )
