"""The certificate content model. Field meanings: docs/content-format.md and courses/_spec/.

Everything is frozen and built only by :mod:`lms_plugin.domain.content.loader`; ``to_dict``
gives the JSON snapshot that ``content sync`` stores per (slug, version).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ItemType = Literal["single_choice", "multi_select", "ordering", "matching", "numeric", "short_text"]
ITEM_TYPES: tuple[str, ...] = (
    "single_choice",
    "multi_select",
    "ordering",
    "matching",
    "numeric",
    "short_text",
)

# quiz.show_correct_answers: when a graded attempt shows the correct answers (the first is the
# default; the rule is domain/quiz_state.py reveal_answers)
SHOW_CORRECT_ANSWERS: tuple[str, ...] = (
    "after_pass_or_last_attempt",
    "after_each_attempt",
    "never",
)


@dataclass(frozen=True)
class Option:
    """A choice, an ordering entry, or one side of a matching pair."""

    id: str
    text: str


@dataclass(frozen=True)
class Item:
    """One quiz item. Type-specific fields are empty for the other types.

    single_choice: choices, answer_id | multi_select: choices, answer_ids |
    ordering: entries, answer_ids (the key order) | matching: left, right, pairs |
    numeric: number, tolerance, unit | short_text: text_answer, accept
    """

    id: str
    type: str
    prompt: str
    competencies: tuple[str, ...]
    objectives: tuple[str, ...]
    feedback: str
    points: float = 1.0
    choices: tuple[Option, ...] = ()
    entries: tuple[Option, ...] = ()
    left: tuple[Option, ...] = ()
    right: tuple[Option, ...] = ()
    answer_id: str | None = None
    answer_ids: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    number: float | None = None
    tolerance: float = 0.0
    unit: str | None = None
    text_answer: str | None = None
    accept: tuple[str, ...] = ()
    # items of the same pool never drawn into one attempt with this one (either may name the
    # other): one would give the other's answer away
    not_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Objective:
    id: str
    text: str


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    file: str
    minutes: int
    markdown: str


@dataclass(frozen=True)
class QuizRules:
    draw: int
    pass_percent: float = 80.0
    max_attempts: int = 3
    cooldown_hours_after: int = 2
    cooldown_hours: float = 12.0
    show_correct_answers: str = SHOW_CORRECT_ANSWERS[0]  # when the key is shown after grading
    minutes: int = 0  # quiz.minutes: time for one attempt (0: not given; the linter wants it)


@dataclass(frozen=True)
class RubricLevel:
    score: int
    label: str


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    competencies: tuple[str, ...]
    descriptors: tuple[tuple[int, str], ...]  # (level score, descriptor), levels 1..4
    scoring_notes: str = ""  # Markdown for reviewers only (grader support, issue 15)
    exemplars: tuple[tuple[int, str], ...] = ()  # (level score, a short sample of work)


@dataclass(frozen=True)
class Assignment:
    id: str
    slug: str
    kind: str  # assignment | capstone
    title: str
    prompt: str
    word_limit: int
    max_resubmissions: int
    min_criterion_level: int
    levels: tuple[RubricLevel, ...]
    criteria: tuple[Criterion, ...]
    # pass_rule.min_mean: the mean of the criteria's levels needed to pass (None: no mean rule,
    # as in versions synced before issue 15; the linter requires it in courses/)
    min_mean: float | None = None
    minutes: int = 0  # time to write it (0: not given; the linter wants it)


@dataclass(frozen=True)
class Reference:
    """A source the module draws on, for the learner's References page."""

    author: str
    year: int
    title: str
    where: str  # journal, publisher or site, as plain text
    url: str | None = None


@dataclass(frozen=True)
class Figure:
    """A drawing a lesson shows: ``figures/<name>.svg`` in the module's folder (figures.py)."""

    name: str
    svg: str


@dataclass(frozen=True)
class CompletionRule:
    quiz_passed: bool = True
    assignment_passed: bool = True


@dataclass(frozen=True)
class Module:
    slug: str
    version: int
    title: str
    summary: str
    estimated_hours: float
    competencies: tuple[str, ...]
    prerequisites: tuple[str, ...]
    objectives: tuple[Objective, ...]
    lessons: tuple[Lesson, ...]
    quiz: QuizRules
    items: tuple[Item, ...]
    assignment: Assignment | None
    completion: CompletionRule = field(default_factory=CompletionRule)
    folder: str = ""
    references: tuple[Reference, ...] = ()
    figures: tuple[Figure, ...] = ()

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def figure(self, name: str) -> Figure | None:
        return next((figure for figure in self.figures if figure.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Badge:
    name: str
    description: str
    criteria: str


@dataclass(frozen=True)
class Program:
    slug: str
    version: int
    level: int
    title: str
    summary: str
    estimated_hours: float
    prerequisites: tuple[str, ...]
    modules: tuple[Module, ...]
    capstone_min_criterion_level: int
    badge: Badge
    folder: str = ""

    def module(self, slug: str) -> Module | None:
        return next((m for m in self.modules if m.slug == slug), None)

    def to_dict(self) -> dict[str, Any]:
        """The program without its modules' bodies (they are stored per module)."""
        data = asdict(self)
        data["modules"] = [m.slug for m in self.modules]
        return data


@dataclass(frozen=True)
class Competency:
    id: str
    kind: str
    name: str
    summary: str
    domain: str | None = None


@dataclass(frozen=True)
class Catalogue:
    """Everything under courses/: the competency catalogue and the programs in level order."""

    competencies: tuple[Competency, ...]
    programs: tuple[Program, ...]

    def program(self, slug: str) -> Program | None:
        return next((p for p in self.programs if p.slug == slug), None)

    def module(self, slug: str) -> tuple[Program, Module] | None:
        for program in self.programs:
            module = program.module(slug)
            if module is not None:
                return program, module
        return None
