"""A learner's attempts at one module's quiz: attempts left, when the next one opens, and whether
the correct answers may be shown (the module's ``quiz.show_correct_answers``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lms_plugin.domain.content.model import QuizRules


@dataclass(frozen=True)
class QuizState:
    """What the learner has done at one quiz (all attempts of the current module slug)."""

    used: int = 0  # attempts started: open, submitted or graded
    open_attempt: int | None = None  # id of the attempt in progress
    grading: int | None = None  # id of an attempt submitted and not graded yet
    last_submitted: datetime | None = None
    submitted: int = 0  # attempts submitted (graded or not)
    best: float | None = None  # best graded percent
    extra: int = 0  # attempts an instructor allowed beyond the module's max_attempts

    def passed(self, rules: QuizRules) -> bool:
        return self.best is not None and self.best >= rules.pass_percent

    def allowed(self, rules: QuizRules) -> int:
        """Attempts this learner may make in all: the module's, and any an instructor added."""
        return rules.max_attempts + self.extra


AttemptRow = tuple[int, str, float | None, datetime | None]  # id, status, percent, submitted_at


def quiz_state(attempts: Iterable[AttemptRow]) -> QuizState:
    """Fold (id, status, percent, submitted_at) rows of one learner's quiz into its state."""
    used = submitted = 0
    open_attempt = grading = None
    last: datetime | None = None
    best: float | None = None
    for attempt_id, status, percent, submitted_at in attempts:
        used += 1
        if status == "open":
            open_attempt = attempt_id
        elif status == "submitted":
            grading = attempt_id
        if status == "graded" and percent is not None:
            best = percent if best is None else max(best, percent)
        if submitted_at is not None:
            submitted += 1
            last = submitted_at if last is None else max(last, submitted_at)
    return QuizState(used, open_attempt, grading, last, submitted, best)


def attempts_left(rules: QuizRules, state: QuizState) -> int:
    """Attempts the learner may still start (an open one counts as started)."""
    return max(0, state.allowed(rules) - state.used)


def out_of_attempts(rules: QuizRules, state: QuizState) -> bool:
    """Every attempt allowed is used and graded, none passed: the module's page tells the learner
    to ask their instructor what comes next (who may allow one more)."""
    idle = state.open_attempt is None and state.grading is None
    return idle and not state.passed(rules) and attempts_left(rules, state) == 0


def next_attempt_at(rules: QuizRules, submitted: int, last: datetime | None) -> datetime | None:
    """When the cooldown after ``cooldown_hours_after`` submitted attempts ends (None: none)."""
    if last is None or not rules.cooldown_hours_after or submitted < rules.cooldown_hours_after:
        return None
    return last + timedelta(hours=rules.cooldown_hours)


def opens_at(rules: QuizRules, state: QuizState, now: datetime) -> datetime | None:
    """When the learner's next attempt opens, if a cooldown holds it now (else None)."""
    ready = next_attempt_at(rules, state.submitted, state.last_submitted)
    return ready if ready is not None and ready > now else None


def reveal_answers(rules: QuizRules, state: QuizState) -> bool:
    """May a graded attempt show the correct answers? ``quiz.show_correct_answers``:

    after_each_attempt: always; never: never; after_pass_or_last_attempt (the default): once
    the quiz is passed (what the module needs is earned) or no attempt is left, so the key
    never helps the learner pass.
    """
    when = rules.show_correct_answers
    if when == "after_each_attempt":
        return True
    if when == "after_pass_or_last_attempt":
        return state.passed(rules) or (attempts_left(rules, state) == 0 and not state.grading)
    return False
