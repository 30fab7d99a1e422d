"""A module's question statistics in one course: its learners' graded quiz attempts (course
staff's own tries through "View as learner" left out), through domain.item_analysis, for the
questions of the module's current pool. An attempt on an earlier version of the module counts
for the questions unchanged since (same id, same wording, choices, key and points): once a
wrong key or a wording is fixed, the question's figures start again from the attempts that
saw the fix, and the advice the old answers gave goes with them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.learning import QuizAttempt
from lms_plugin.domain.content.model import Item, Module
from lms_plugin.domain.item_analysis import MIN_ATTEMPTS, GradedAttempt, ItemStats, item_stats
from lms_plugin.services.content import module_version
from lms_plugin.services.staff import is_staff


@dataclass(frozen=True)
class QuestionReport:
    module: Module
    attempts: int  # graded attempts by the course's learners
    learners: int  # who made them
    questions: list[tuple[Item, ItemStats]]  # in the pool's order
    earlier_wording: int = 0  # answers to a question as an earlier version asked it: left out

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
        select(
            QuizAttempt.results, QuizAttempt.answers, QuizAttempt.user_id, QuizAttempt.module_id
        ).where(*mine)
    ).all()
    unchanged = {
        version: _unchanged(module_version(session, version), module)
        for version in {version for *_, version in rows}
    }
    keys = {i.id: i.answer_id for i in module.items if i.type == "single_choice" and i.answer_id}
    pool = {item.id for item in module.items}
    stats = item_stats(
        (
            GradedAttempt(results or [], answers or {}, unchanged[version])
            for results, answers, _, version in rows
        ),
        [item.id for item in module.items],
        keys,
    )
    return QuestionReport(
        module=module,
        attempts=len(rows),
        learners=len({user_id for _, _, user_id, _ in rows}),
        questions=list(zip(module.items, stats, strict=True)),
        earlier_wording=sum(
            1
            for results, _, _, version in rows
            for result in results or []
            if result.get("item_id") in pool and result.get("item_id") not in unchanged[version]
        ),
    )


def _unchanged(version: Module, current: Module) -> frozenset[str]:
    """The questions of ``version`` that learners answer as ``current`` asks them: the same
    wording, choices, key and points (the feedback shown after grading may differ)."""
    now = {item.id: _asked(item) for item in current.items}
    return frozenset(item.id for item in version.items if now.get(item.id) == _asked(item))


def _asked(item: Item) -> Item:
    return replace(item, feedback="", competencies=(), objectives=())
