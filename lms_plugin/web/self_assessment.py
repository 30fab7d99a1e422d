"""The self-assessment pages: the learner rates the 15 ISP competencies at the start of Level 1
and at the end of each level, and sees their ratings before and after (player blueprint); the
course's instructors see the cohort's summary per competency (instructor blueprint)."""

from __future__ import annotations

from flask import redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.domain.cohort_mastery import isp_competencies
from lms_plugin.domain.content.model import Competency
from lms_plugin.domain.errors import LmsError
from lms_plugin.domain.self_assessment import before_after
from lms_plugin.services import self_assessment
from lms_plugin.services.content import current_content
from lms_plugin.web import deps, launch_session
from lms_plugin.web.credential_views import issuer
from lms_plugin.web.instructor import bp as instructor_bp
from lms_plugin.web.instructor import context_id
from lms_plugin.web.player import bp as player_bp


def _catalogue() -> list[Competency]:
    """The 15 ISP competencies with their text, from courses/ (read once per process)."""
    catalogue = issuer(competencies=True).competencies.values()
    listed = {cid for cid, _ in isp_competencies(catalogue)}
    return [c for c in catalogue if c.id in listed]


@player_bp.route("/self-assessment", methods=["GET", "POST"])
def self_assessment_page() -> BaseResponse | str:
    """The points open now (a form for each one not rated yet) and the before/after table."""
    session, learner = deps.session(), launch_session.learner()
    content = current_content(session)
    competencies = _catalogue()
    error: LmsError | None = None
    if request.method == "POST":
        point = request.form.get("point", "")
        given = {k: v for k, v in request.form.items() if k not in ("csrf", "lh", "point")}
        try:
            self_assessment.submit(
                session, content, learner, point, [c.id for c in competencies], given
            )
        except LmsError as exc:
            session.rollback()
            error = exc
        else:
            target = launch_session.link("player.self_assessment_page")
            return redirect(f"{target}{'&' if '?' in target else '?'}saved={point}", code=303)
    spec = self_assessment.spec()
    taken = self_assessment.taken(session, learner)
    page = render_template(
        "player/self_assessment.html",
        spec=spec,
        competencies=competencies,
        open_points=[
            p for p in self_assessment.open_points(session, content, learner) if p.id not in taken
        ],
        taken=taken,
        changes=before_after(
            spec, [(c.id, c.name) for c in competencies], {k: v.ratings for k, v in taken.items()}
        ),
        given=request.form if error else {},
        error=error,
        saved=spec.point(request.args.get("saved", "")),
    )
    return page if error is None else BaseResponse(page, status=error.status, mimetype="text/html")


@instructor_bp.get("/self-assessment")
def self_assessment_cohort() -> str:
    """The course's self-ratings per competency and point: how many, the mean, each level."""
    competencies = [(c.id, c.name) for c in _catalogue()]
    summary = self_assessment.cohort_summary(deps.session(), context_id(), competencies)
    return render_template(
        "instructor/self_assessment.html",
        spec=self_assessment.spec(),
        summary=summary,
        competencies=competencies,
    )
