"""A module's question statistics in one course: its learners' graded quiz attempts (course
staff's own tries through "View as learner" left out), through domain.item_analysis, for the
questions of the module's current pool. Attempts on earlier versions of the module count for
the questions they share with it (an item keeps its id across versions)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.learning import QuizAttempt
from lms_plugin.domain.content.model import Item, Module
from lms_plugin.domain.item_analysis import MIN_ATTEMPTS, GradedAttempt, ItemStats, item_stats
from lms_plugin.services.staff import is_staff


@dataclass(frozen=True)
class QuestionReport:
    module: Module
    attempts: int  # graded attempts by the course's learners
    learners: int  # who made them
    questions: list[tuple[Item, ItemStats]]  # in the pool's order

    @property
    def to_look_at(self) -> list[str]:
        """The ids of the questions whose figures suggest a look."""
        return [item.id for item, stats in self.questions if stats.advice]

    @property
    def too_few(self) -> bool:
        """Some question has been drawn too few times to judge."""
        return any(stats.drawn < MIN_ATTEMPTS for _, stats in self.questions)


def question_report(session: Session, context_id: int, module: Module) -> QuestionReport:
    """The statistics of every question of ``module``'s pool in the course ``context_id``."""
    mine = (
        QuizAttempt.context_id == context_id,
        QuizAttempt.module_slug == module.slug,
        QuizAttempt.status == "graded",
        ~is_staff(context_id, QuizAttempt.user_id),
    )
    rows = session.execute(
        select(QuizAttempt.results, QuizAttempt.answers, QuizAttempt.user_id).where(*mine)
    ).all()
    keys = {i.id: i.answer_id for i in module.items if i.type == "single_choice" and i.answer_id}
    stats = item_stats(
        (GradedAttempt(results or [], answers or {}) for results, answers, _ in rows),
        [item.id for item in module.items],
        keys,
    )
    return QuestionReport(
        module=module,
        attempts=len(rows),
        learners=len({user_id for _, _, user_id in rows}),
        questions=list(zip(module.items, stats, strict=True)),
    )
