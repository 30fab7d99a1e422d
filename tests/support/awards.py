"""A learner who completes a level, written as the work rows the player and reviews leave, then
folded by the grading service (which records the award); and the badges drain, called directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, func, select

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import Review
from lms_plugin.db.learning import AssignmentSubmission, QuizAttempt
from lms_plugin.db.models import LtiContext, LtiUser
from lms_plugin.services import awards, grades
from lms_plugin.services.content import current_content
from lms_plugin.services.issuer_keys import Issuer, issuer_from_settings
from tests.support.content_keys import catalogue
from tests.support.learners import api_launch
from tests.support.practice_log import write_complete_log


def launched(tool: Any, platform: Any, user: str, course: str) -> tuple[int, int]:
    """(context row id, user row id) of a learner after a real launch into the course."""
    from lms_plugin.db import db

    api_launch(tool, platform, user=user, course=course)
    with tool.app.app_context():
        context_id = db.session.scalar(select(LtiContext.id).filter_by(context_id=course))
        user_id = db.session.scalar(select(LtiUser.id).filter_by(sub=user))
        db.session.commit()
    assert context_id is not None and user_id is not None
    return context_id, user_id


def write_passed_work(
    session: Any, context_id: int, user_id: int, modules: Any, *, log: bool = True
) -> dict:
    """A graded 100% attempt, and a passed submission with its review, per module; with
    ``log``, its complete practice log entry (and a passed learning-from-failure entry)."""
    content, now = current_content(session), utcnow()
    folded = {}
    for module in modules:
        scope = {"context_id": context_id, "user_id": user_id, "module_slug": module.slug}
        module_id = content.module_ids[module.slug]
        again = session.scalar(select(func.count()).select_from(QuizAttempt).filter_by(**scope))
        session.add(
            QuizAttempt(
                **scope, module_id=module_id, number=again + 1, seed=0, item_ids=[], answers={},
                status="graded", submitted_at=now, graded_at=now, score=1.0, max_score=1.0,
                percent=100.0,
            )
        )  # fmt: skip
        if module.assignment is not None:
            submission = AssignmentSubmission(
                **scope, module_id=module_id, assignment_id=module.assignment.id, round=again + 1,
                text="Done.", word_count=1, status="passed",
            )  # fmt: skip
            session.add(submission)
            session.flush()
            scores = {criterion.id: 4 for criterion in module.assignment.criteria}
            session.add(
                Review(
                    submission_id=submission.id, reviewer_id=user_id, scores=scores,
                    decision="pass", percent=100.0, passed=True, folded_at=now,
                    rule_min_level=module.assignment.min_criterion_level,
                    rule_min_mean=module.assignment.min_mean,
                )
            )  # fmt: skip
        if log:
            write_complete_log(session, context_id, user_id, module.slug)
        folded[(context_id, user_id, module.slug)] = module
    return folded


def complete_level(
    tool: Any,
    platform: Any,
    slug: str = "isp-level-1",
    *,
    user: str = "learner-1",
    course: str = "course-101",
    skip: tuple[str, ...] = (),
) -> tuple[int, int]:
    """Launch, then pass every module of the level (but `skip`) and fold the grades through the
    grading service; returns (context row id, user row id)."""
    from lms_plugin.db import db

    context_id, user_id = launched(tool, platform, user, course)
    program = catalogue().program(slug)
    assert program is not None
    with tool.app.app_context():
        session = db.session()
        modules = [m for m in program.modules if m.slug not in skip]
        grades.refresh_grades(session, write_passed_work(session, context_id, user_id, modules))
        session.commit()
    return context_id, user_id


def issuer(tool: Any) -> Issuer:
    """The running tool's issuer, with the competency catalogue of courses/."""
    competencies = {c.id: c for c in catalogue().competencies}
    return issuer_from_settings(tool.app.extensions["lms_settings"], competencies)


def drain(tool: Any, **kwargs: Any) -> int:
    """One badges drain batch, as the worker runs it."""
    from lms_plugin.db import db

    with tool.app.app_context():
        return awards.issue_due(db.session(), issuer(tool), **kwargs)


def award_rows(tool: Any) -> list[tuple[Any, ...]]:
    """(uuid, program, status, user row id, context row id) of every award, oldest first."""
    return tool.rows(
        "SELECT uuid, program_slug, status, user_id, context_id FROM award ORDER BY id"
    )


def sql_sent(engine: Any, action: Callable[[], object]) -> list[str]:
    """Every SQL statement `action` sends through `engine`, whole (an executemany counts once)."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def statements_of(engine: Any, action: Callable[[], object]) -> list[str]:
    """The first word of every SQL statement `action` sends through `engine`."""
    return [statement.split()[0] for statement in sql_sent(engine, action)]
