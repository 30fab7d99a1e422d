"""The cohort dashboard's rules: a learner's state in a module (the heatmap cell), the score it
shows, who is at risk and why, and the score bins of the distribution charts.

These functions are the specification. ``services/cohort_grid.py`` evaluates the same rules in
SQL, set-based, for whole cohorts; tests hold the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lms_plugin.domain.completion import format_percent
from lms_plugin.domain.content.model import Module
from lms_plugin.domain.i18n import N_, _, ngettext, percent, whole_percent


@dataclass(frozen=True)
class CellState:
    """One heatmap state: a code, the words and the shape shown with its colour (so the grid
    never relies on colour alone), and its rank when a column is sorted."""

    code: str
    label: str
    glyph: str
    rank: int


# Labels in English (the CSV export's words); pages translate them (``|tr``, web/cohort_html.py).
NOT_STARTED = CellState("not_started", N_("Not started"), "○", 0)
IN_PROGRESS = CellState("in_progress", N_("In progress"), "◐", 1)
FAILED = CellState("failed", N_("Failed"), "✗", 2)
SUBMITTED = CellState("submitted", N_("Submitted, grading"), "◷", 3)
NEEDS_REVIEW = CellState("needs_review", N_("Needs review"), "!", 4)
PASSED = CellState("passed", N_("Passed"), "✓", 5)
STATES: tuple[CellState, ...] = (PASSED, NEEDS_REVIEW, SUBMITTED, FAILED, IN_PROGRESS, NOT_STARTED)
BY_CODE = {state.code: state for state in STATES}


@dataclass(frozen=True)
class ModuleRule:
    """What the module's completion rule asks (domain/completion.py): the facts a cell needs."""

    slug: str
    pass_percent: float
    max_attempts: int
    quiz_required: bool
    assignment_required: bool
    failure_required: bool = False  # the Level 2 learning-from-failure entry (practice log)

    @classmethod
    def of(cls, module: Module, failure_module: str = "") -> ModuleRule:
        """``failure_module``: the module whose practice log asks for the learning-from-failure
        entry (courses/practice-log.yaml)."""
        return cls(
            slug=module.slug,
            pass_percent=module.quiz.pass_percent,
            max_attempts=module.quiz.max_attempts,
            quiz_required=module.completion.quiz_passed,
            assignment_required=module.completion.assignment_passed
            and module.assignment is not None,
            failure_required=module.slug == failure_module,
        )


@dataclass(frozen=True)
class CellFacts:
    """A learner's rows in one module, counted (None: no such row)."""

    lessons_viewed: int = 0
    open_attempts: int = 0
    grading_attempts: int = 0  # submitted, not graded yet
    graded_attempts: int = 0
    failed_attempts: int = 0  # graded below the pass mark
    best_percent: float | None = None  # best graded attempt
    submission: str | None = None  # the latest round's status: submitted|revise|passed|failed
    rubric_percent: float | None = None  # the review of the latest round
    drafted: bool = False  # an assignment draft with text
    # The practice log (domain/practice_log.py), which every module's completion asks for:
    log_written: bool = False  # the module's entry has text (a draft, or complete)
    log_complete: bool = False  # the entry is complete, or the learner is exempt
    failure_passed: bool = False  # the learning-from-failure entry passed (or exempt)


def quiz_passed(facts: CellFacts, rule: ModuleRule) -> bool:
    return facts.best_percent is not None and facts.best_percent >= rule.pass_percent


def log_done(facts: CellFacts, rule: ModuleRule) -> bool:
    """The module's practice log asks nothing more (domain.completion counts it too)."""
    return facts.log_complete and (not rule.failure_required or facts.failure_passed)


def cell_state(facts: CellFacts, rule: ModuleRule) -> CellState:
    """The first that holds: passed (the module is complete: its completion rule is met and its
    practice log done), needs review (the latest round waits for an instructor), submitted (a
    quiz attempt is being graded), failed (a required part was graded below its mark), in
    progress (any work, a log entry included), not started."""
    quiz_ok = quiz_passed(facts, rule)
    if (
        (not rule.quiz_required or quiz_ok)
        and (not rule.assignment_required or facts.submission == "passed")
        and log_done(facts, rule)
    ):
        return PASSED
    if facts.submission == "submitted":
        return NEEDS_REVIEW
    if facts.grading_attempts:
        return SUBMITTED
    quiz_failed = rule.quiz_required and facts.graded_attempts > 0 and not quiz_ok
    if quiz_failed or (rule.assignment_required and facts.submission == "failed"):
        return FAILED
    worked = facts.lessons_viewed or facts.open_attempts or facts.graded_attempts
    if worked or facts.submission is not None or facts.drafted or facts.log_written:
        return IN_PROGRESS
    return NOT_STARTED


def cell_score(state: CellState, facts: CellFacts, rule: ModuleRule) -> float | None:
    """The percent a cell shows: the module grade once passed (domain.completion.module_grade),
    the failing part's score when failed, else the best quiz score so far (None: none)."""
    best, rubric = facts.best_percent, facts.rubric_percent
    if state is PASSED:
        if rule.quiz_required and rule.assignment_required:
            return _mean(best, rubric)
        if rule.quiz_required:
            return best
        if rule.assignment_required:
            return rubric
        if best is not None and rubric is not None:
            return _mean(best, rubric)
        return best if best is not None else rubric
    if state is FAILED:
        quiz_failed = rule.quiz_required and facts.graded_attempts > 0
        return best if quiz_failed and not quiz_passed(facts, rule) else rubric
    return best


def _mean(a: float | None, b: float | None) -> float:
    return ((a or 0.0) + (b or 0.0)) / 2


def cell_text(state: CellState, score: float | None) -> str:
    """The few characters a cell shows after its glyph (words in English: the page translates
    them, web/cohort_html.py)."""
    if score is not None and state in (PASSED, FAILED, IN_PROGRESS):
        return format_percent(whole_percent(score))
    return {
        NEEDS_REVIEW: N_("review"),
        SUBMITTED: N_("grading"),
        IN_PROGRESS: N_("started"),
        NOT_STARTED: "—",
    }.get(state, "")


# --- at risk ------------------------------------------------------------------------------

IDLE_DAYS = 14
FAILED_ATTEMPTS = 2
_RISK_RULE = N_(
    "A learner is at risk when a module is still open to them and they have done nothing in "
    "the tool for %(days)s days or more, or have failed the quiz of a module %(attempts)s times "
    "or more without passing it yet. Learners who never opened the tool are listed under Roster."
)
RISK_RULE = _RISK_RULE % {"days": IDLE_DAYS, "attempts": FAILED_ATTEMPTS}


def risk_rule() -> str:
    """The at-risk rule in a sentence, in the reader's language."""
    return _(_RISK_RULE, days=IDLE_DAYS, attempts=FAILED_ATTEMPTS)


def idle_cutoff(now: datetime) -> datetime:
    """Activity before this instant counts as idle."""
    return now - timedelta(days=IDLE_DAYS)


def failing(state: CellState, failed_attempts: int) -> bool:
    """A module that puts its learner at risk: failed often, not passed since."""
    return state is not PASSED and failed_attempts >= FAILED_ATTEMPTS


def risk_reasons(
    last_activity: datetime | None,
    failing_modules: list[str],
    all_passed: bool,
    now: datetime,
) -> list[str]:
    """Why a learner is at risk, in words (empty: not at risk). Never-launched learners
    (no activity at all) are not at risk here: the roster lists them."""
    if all_passed or last_activity is None:
        return []
    reasons = []
    if last_activity < idle_cutoff(now):
        days = (now - last_activity).days
        reasons.append(
            ngettext("no activity for %(num)d day", "no activity for %(num)d days", days)
        )
    reasons.extend(
        _("%(n)s+ failed quiz attempts in %(title)s", n=FAILED_ATTEMPTS, title=title)
        for title in failing_modules
    )
    return reasons


def age_text(moment: datetime, now: datetime) -> str:
    """How long ago, in words: "3 days", "1 day", "5 hours", "1 hour", "under an hour"."""
    return age_words((now - moment).total_seconds())


def age_unit(seconds: float) -> int:
    """An age rounded down to what :func:`age_words` says of it (whole days, whole hours, or
    0 for under an hour): ages that read the same share one value."""
    for unit in (86400, 3600):
        if seconds >= unit:
            return int(seconds // unit) * unit
    return 0


def age_words(seconds: float) -> str:
    """An age of ``seconds`` in words (see :func:`age_text`)."""
    if seconds >= 86400:
        return ngettext("%(num)d day", "%(num)d days", int(seconds // 86400))
    if seconds >= 3600:
        return ngettext("%(num)d hour", "%(num)d hours", int(seconds // 3600))
    return _("under an hour")


# --- distribution ---------------------------------------------------------------------------

BINS = 10  # 0-9, 10-19, ... 90-100: the last bin holds 100


def score_bin(score: float) -> int:
    """The histogram bin of a percent (0..100)."""
    return min(BINS - 1, max(0, int(score // 10)))


def bin_label(index: int) -> str:
    """A histogram bin's label in the reader's language: "0-9%" ("0-9 %" in French), with an
    en dash."""
    top = index * 10 + 9 if index < BINS - 1 else 100
    return f"{index * 10}\N{EN DASH}{percent(top)}"
