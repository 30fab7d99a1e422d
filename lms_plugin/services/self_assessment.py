"""Self-assessment use cases: the points open to a learner, saving one point's ratings (once),
the learner's before and after, and the course's summary for instructors. Scoped by course and,
for learners, by learner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.models import Membership, SelfAssessment
from lms_plugin.domain import self_assessment as rules
from lms_plugin.domain.content.yamlsource import parse_yaml
from lms_plugin.domain.errors import ConflictError, ForbiddenError, NotFoundError
from lms_plugin.domain.i18n import _
from lms_plugin.domain.self_assessment import CohortLine, Point, SelfAssessmentSpec
from lms_plugin.paths import PROJECT_ROOT
from lms_plugin.services.content import CurrentContent
from lms_plugin.services.progress import Learner, learner_progress


@cache
def spec() -> SelfAssessmentSpec:
    """courses/self-assessment.yaml, read once per process."""
    path = PROJECT_ROOT / "courses" / "self-assessment.yaml"
    data, problems = parse_yaml(path.read_text(encoding="utf-8"))
    if problems:
        raise RuntimeError("; ".join(f"courses/self-assessment.yaml:{n}: {m}" for n, m in problems))
    return rules.parse_spec(data)


def taken(session: Session, learner: Learner) -> dict[str, SelfAssessment]:
    """The learner's rated points in this course, by point id."""
    return {
        row.point: row
        for row in session.scalars(
            select(SelfAssessment).filter_by(context_id=learner.context_id, user_id=learner.user_id)
        )
    }


def open_points(session: Session, content: CurrentContent, learner: Learner) -> tuple[Point, ...]:
    """The points the learner may rate now (a level's start once it is open, its end once all
    of its modules are complete)."""
    progress = learner_progress(session, content, learner)
    unlocked = [slug for slug, status in progress.programs.items() if not status.locked]
    return rules.open_points(spec(), unlocked, progress.completed_programs)


def submit(
    session: Session,
    content: CurrentContent,
    learner: Learner,
    point_id: str,
    competencies: Sequence[str],
    given: dict[str, Any],
) -> SelfAssessment:
    """Record one point's ratings (every competency 1-4). A point is rated once: the "before"
    stays what it was (409 the second time). Commits."""
    point = spec().point(point_id)
    if point is None:
        raise NotFoundError(_("There is no such self-assessment point."))
    if point not in open_points(session, content, learner):
        raise ForbiddenError(
            _(
                "The self-assessment “%(title)s” opens once the level is open to you.",
                title=point.title,
            )
            if point.when == "start"
            else _(
                "The self-assessment “%(title)s” opens once every module of the level is complete.",
                title=point.title,
            ),
            code="self_assessment_not_open",
        )
    ratings = rules.read_ratings(competencies, given)
    if point_id in taken(session, learner):
        raise ConflictError(
            _("You already rated yourself at “%(title)s”.", title=point.title),
            code="self_assessment_taken",
        )
    row = SelfAssessment(
        context_id=learner.context_id, user_id=learner.user_id, point=point_id, ratings=ratings
    )
    session.add(row)
    session.commit()
    return row


@dataclass(frozen=True)
class CohortSummary:
    learners: int  # learners in the course (members with learner access)
    points: dict[str, tuple[CohortLine, ...]]
    taken: dict[str, int]  # point id -> how many learners rated it


def cohort_summary(
    session: Session, context_id: int, competencies: Sequence[tuple[str, str]]
) -> CohortSummary:
    """Per point and competency: how many rated it, the mean, and the count at each level."""
    rows: list[tuple[str, dict[str, int]]] = [
        (point, ratings)
        for point, ratings in session.execute(
            select(SelfAssessment.point, SelfAssessment.ratings).where(
                SelfAssessment.context_id == context_id
            )
        )
    ]
    learners = len(
        session.scalars(
            select(Membership.id).filter_by(context_id=context_id, access="learner")
        ).all()
    )
    counted: dict[str, int] = {}
    for point, _ratings in rows:
        counted[point] = counted.get(point, 0) + 1
    return CohortSummary(learners, rules.cohort_summary(spec(), competencies, rows), counted)
