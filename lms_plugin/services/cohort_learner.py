"""One learner's work in one module, for the instructor's drill-down from a cohort cell:
lessons read, every quiz attempt with its answers, every assignment round with its review,
the draft, the module grade and whether it reached the gradebook. A fixed number of queries,
all scoped by the course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from lms_plugin.db.grading import Grade, Review, ScoreOutbox
from lms_plugin.db.learning import AssignmentDraft, AssignmentSubmission, LessonView, QuizAttempt
from lms_plugin.db.models import LtiUser, Membership
from lms_plugin.domain import cohort as rules
from lms_plugin.domain.answer_text import answer_text, key_text
from lms_plugin.domain.cohort import CellFacts, CellState, ModuleRule
from lms_plugin.domain.content.model import Assignment, Item, Lesson, Module, Program
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.domain.i18n import _
from lms_plugin.domain.practice_log import LogFacts
from lms_plugin.services import extra_attempts
from lms_plugin.services.content import CurrentContent, module_version
from lms_plugin.services.practice_log_facts import learner_log_facts, log_spec
from lms_plugin.services.progress import Learner


@dataclass(frozen=True)
class AnswerLine:
    item_id: str
    item: Item | None  # None: the item is gone from this version (never, in practice)
    answer: str
    key: str
    awarded: float | None
    possible: float | None
    correct: bool | None


@dataclass(frozen=True)
class AttemptView:
    attempt: QuizAttempt
    lines: list[AnswerLine]
    passed: bool | None  # None: not graded yet


@dataclass(frozen=True)
class RoundView:
    submission: AssignmentSubmission
    assignment: Assignment | None
    review: Review | None
    reviewer: str | None
    levels: list[tuple[str, int, str]]  # (criterion title, level, level label)


@dataclass(frozen=True)
class LearnerModule:
    user_id: int
    name: str
    sub: str
    email: str | None
    launched_at: datetime | None
    program: Program
    module: Module
    rule: ModuleRule
    state: CellState
    score: float | None
    facts: CellFacts
    lessons: list[tuple[Lesson, datetime | None]]
    attempts: list[AttemptView]
    rounds: list[RoundView]
    draft: AssignmentDraft | None
    grade: Grade | None
    sync: ScoreOutbox | None
    extra: list[extra_attempts.Grant]  # attempts instructors added beyond the module's

    @property
    def allowed(self) -> int:
        return self.rule.max_attempts + len(self.extra)

    @property
    def attempts_left(self) -> int:
        return max(0, self.allowed - len(self.attempts))

    @property
    def quiz_passed(self) -> bool:
        return rules.quiz_passed(self.facts, self.rule)


def learner_module(
    session: Session, content: CurrentContent, context_id: int, user_id: int, slug: str
) -> LearnerModule:
    """The drill-down of a cell; a learner who is not in this course is not found."""
    program, module = content.find(slug)
    person = session.execute(
        select(LtiUser.name, LtiUser.sub, LtiUser.email, Membership.launched_at)
        .join(Membership, Membership.user_id == LtiUser.id)
        .where(Membership.context_id == context_id, Membership.user_id == user_id)
    ).first()
    if person is None:
        raise NotFoundError(_("There is no such learner in this course."))
    where = {"context_id": context_id, "user_id": user_id, "module_slug": slug}
    lessons = select(LessonView.lesson_slug, LessonView.viewed_at).filter_by(**where)
    viewed = {slug: at for slug, at in session.execute(lessons)}
    attempts = [
        _attempt(session, a, module)
        for a in session.scalars(
            select(QuizAttempt).filter_by(**where).order_by(QuizAttempt.number)
        )
    ]
    rounds = _rounds(session, where)
    draft = session.scalars(select(AssignmentDraft).filter_by(**where)).first()
    grade = session.scalars(select(Grade).filter_by(**where)).first()
    sync = session.scalars(
        select(ScoreOutbox)
        .filter_by(**where)
        .where(ScoreOutbox.status != "superseded")
        .order_by(ScoreOutbox.id.desc())
        .limit(1)
    ).first()
    rule = ModuleRule.of(module, log_spec().failure.module)
    log = learner_log_facts(session, context_id, user_id, [slug]).get(slug)
    facts = _facts(viewed, attempts, rounds, draft, rule, log)
    state = rules.cell_state(facts, rule)
    return LearnerModule(
        user_id=user_id,
        name=person.name or person.sub,
        sub=person.sub,
        email=person.email,
        launched_at=person.launched_at,
        program=program,
        module=module,
        rule=rule,
        state=state,
        score=rules.cell_score(state, facts, rule),
        facts=facts,
        lessons=[(lesson, viewed.get(lesson.slug)) for lesson in module.lessons],
        attempts=attempts,
        rounds=rounds,
        draft=draft if draft is not None and draft.text else None,
        grade=grade,
        sync=sync,
        extra=extra_attempts.grants(session, Learner(context_id, user_id), slug),
    )


def _attempt(session: Session, attempt: QuizAttempt, current: Module) -> AttemptView:
    """An attempt against the module version it was made on."""
    module = module_version(session, attempt.module_id) if attempt.module_id else current
    results: dict[str, dict[str, Any]] = {r["item_id"]: r for r in attempt.results or []}
    lines = []
    for item_id in attempt.item_ids:
        item = module.item(item_id)
        result = results.get(item_id, {})
        lines.append(
            AnswerLine(
                item_id=item_id,
                item=item,
                answer=answer_text(item, attempt.answers.get(item_id)) if item else "",
                key=key_text(item) if item else "",
                awarded=result.get("points_awarded"),
                possible=result.get("points_possible"),
                correct=result.get("correct"),
            )
        )
    passed = None
    if attempt.status == "graded":
        passed = (attempt.percent or 0.0) >= module.quiz.pass_percent
    return AttemptView(attempt, lines, passed)


def _rounds(session: Session, where: dict[str, object]) -> list[RoundView]:
    reviewer = aliased(LtiUser)
    found = []
    for submission, review, name, sub in session.execute(
        select(AssignmentSubmission, Review, reviewer.name, reviewer.sub)
        .filter_by(**where)
        .outerjoin(Review, Review.submission_id == AssignmentSubmission.id)
        .outerjoin(reviewer, reviewer.id == Review.reviewer_id)
        .order_by(AssignmentSubmission.round)
    ):
        assignment = module_version(session, submission.module_id).assignment
        levels = []
        if review is not None and assignment is not None:
            labels = {lv.score: lv.label for lv in assignment.levels}
            for criterion in assignment.criteria:
                level = review.scores.get(criterion.id)
                if level is not None:
                    levels.append((criterion.title, level, labels.get(level, str(level))))
        found.append(RoundView(submission, assignment, review, name or sub, levels))
    return found


def _facts(
    viewed: dict[str, datetime],
    attempts: list[AttemptView],
    rounds: list[RoundView],
    draft: AssignmentDraft | None,
    rule: ModuleRule,
    log: LogFacts | None,
) -> CellFacts:
    """The cell's facts from the rows read (the grid counts the same in SQL)."""
    entry = log.entry if log else "none"
    failure = log.failure if log else None
    graded = [a.attempt for a in attempts if a.attempt.status == "graded"]
    latest = rounds[-1] if rounds else None
    return CellFacts(
        lessons_viewed=len(viewed),
        open_attempts=sum(a.attempt.status == "open" for a in attempts),
        grading_attempts=sum(a.attempt.status == "submitted" for a in attempts),
        graded_attempts=len(graded),
        failed_attempts=sum((a.percent or 0.0) < rule.pass_percent for a in graded),
        best_percent=max(((a.percent or 0.0) for a in graded), default=None),
        submission=latest.submission.status if latest else None,
        rubric_percent=latest.review.percent if latest and latest.review else None,
        drafted=draft is not None and bool(draft.text),
        log_written=entry in ("draft", "complete"),
        log_complete=entry in ("complete", "exempt"),
        failure_passed=failure in ("passed", "exempt"),
    )
