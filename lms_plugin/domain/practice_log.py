"""The reflective practice log (CURRICULUM.md B0): what an entry asks, when it is complete, and
what it adds to a module's completion rule.

* Every module asks for one structured entry (courses/practice-log.yaml ``sections``: what I did,
  what happened, what I learned, what I will do next). It is **complete** when every section has
  text and the entry has at least ``min_words`` words in all; below that it is a draft.
* One Level 2 module (``learning_from_failure.module``) also asks for the "learning from failure"
  entry, submitted to an instructor who scores its rubric; it counts once it has **passed**.
* A module a learner had completed before the log existed is **exempt** (migration 0011 records
  it): its completion is not taken back, and no entry is asked of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lms_plugin.domain.content.model import Assignment, Criterion, RubricLevel
from lms_plugin.domain.errors import ContentSpecError, InvalidInputError, UnprocessableError
from lms_plugin.domain.i18n import _, number
from lms_plugin.domain.rubric_outcome import RubricOutcome, rubric_outcome

MODULE = "module"  # practice_log_entry.kind of the entry every module asks for
FAILURE = "failure"  # ... of the Level 2 learning-from-failure entry
MAX_SECTION_CHARS = 20_000  # far above any reflection; a bigger body is refused, not cut

EntryState = Literal["exempt", "none", "draft", "complete"]
FailureState = Literal["exempt", "none", "draft", "submitted", "revise", "passed"]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    help: str


@dataclass(frozen=True)
class FailureSpec:
    """The learning-from-failure entry: where it is asked, what it asks, how it is graded."""

    module: str
    title: str
    prompt: str
    min_words: int
    sections: tuple[Section, ...]
    rubric: Assignment  # the rubric and pass rule, in the shape reviews already grade


@dataclass(frozen=True)
class LogSpec:
    min_words: int
    sections: tuple[Section, ...]
    failure: FailureSpec


@dataclass(frozen=True)
class LogFacts:
    """A learner's log in one module, as completion reads it (``failure`` None: not asked)."""

    entry: EntryState = "none"
    words: int = 0
    failure: FailureState | None = None


LogTodo = Literal["write", "finish", "failure_write", "failure_revise", "failure_waiting"]


def todo(facts: LogFacts | None) -> LogTodo | None:
    """What is left of the module's log, first things first (None: nothing, or not asked): the
    entry to write or finish, then the learning-from-failure entry to write, revise or wait
    for. The next step and the module's status both say it."""
    if facts is None:
        return None
    if facts.entry in ("none", "draft"):
        return "finish" if facts.entry == "draft" else "write"
    if facts.failure in ("none", "draft"):
        return "failure_write"
    if facts.failure == "revise":
        return "failure_revise"
    if facts.failure == "submitted":
        return "failure_waiting"
    return None


def word_count(text: str) -> int:
    """Words as the assignment editor counts them: runs of non-space characters."""
    return len(text.split())


def entry_words(sections: Mapping[str, str]) -> int:
    """The entry's words over all its sections."""
    return sum(word_count(text) for text in sections.values())


def is_complete(
    spec_sections: tuple[Section, ...], min_words: int, text: Mapping[str, str]
) -> bool:
    """Every section written and at least ``min_words`` words in all (249 is not 250)."""
    written = all(text.get(s.id, "").strip() for s in spec_sections)
    return written and entry_words({s.id: text.get(s.id, "") for s in spec_sections}) >= min_words


def read_sections(spec_sections: tuple[Section, ...], given: Mapping[str, Any]) -> dict[str, str]:
    """The sections' text from a form or JSON body; anything else in it is refused (400)."""
    unknown = sorted(str(k) for k in given if k not in {s.id for s in spec_sections})
    if unknown:
        raise InvalidInputError(
            _("Unknown log sections: %(sections)s.", sections=", ".join(unknown)),
            code="invalid_log_section",
        )
    out: dict[str, str] = {}
    for section in spec_sections:
        value = given.get(section.id, "")
        if not isinstance(value, str) or "\x00" in value:
            raise InvalidInputError(
                _("“%(title)s” must be text.", title=section.title), code="invalid_log_section"
            )
        if len(value) > MAX_SECTION_CHARS:
            raise UnprocessableError(
                _(
                    "“%(title)s” is over %(max)s characters; shorten it.",
                    title=section.title,
                    max=number(MAX_SECTION_CHARS),
                ),
                code="log_section_too_long",
            )
        out[section.id] = value.replace("\r\n", "\n")
    return out


def missing(facts: LogFacts | None, min_words: int) -> tuple[str, ...]:
    """What the log still needs for the module to be complete, in sentences for the learner."""
    if facts is None:
        return ()
    out: list[str] = []
    if facts.entry == "draft":
        out.append(
            _(
                "Complete your practice log entry (%(words)s words so far, needs %(min)s words)",
                words=facts.words,
                min=min_words,
            )
        )
    elif facts.entry == "none":
        out.append(_("Complete your practice log entry (needs %(min)s words)", min=min_words))
    sentence = {
        "none": _("Submit your learning-from-failure entry for review"),
        "draft": _("Submit your learning-from-failure entry for review (a draft is saved)"),
        "submitted": _("Your learning-from-failure entry is waiting for review"),
        "revise": _(
            "Revise and resubmit your learning-from-failure entry: your reviewer asked for changes"
        ),
    }.get(facts.failure or "")
    if sentence:
        out.append(sentence)
    return tuple(out)


def gradebook_states(facts: LogFacts | None) -> tuple[tuple[str, str], ...]:
    """(noun, part state) of the log's required parts, for the gradebook comment: states are
    domain.gradebook.PartState values (a submitted failure entry waits for a person)."""
    if facts is None:
        return ()
    out: list[tuple[str, str]] = []
    if facts.entry != "exempt":
        out.append(("practice log entry", "passed" if facts.entry == "complete" else "not_started"))
    if facts.failure is not None and facts.failure != "exempt":
        state = {"submitted": "waiting", "revise": "revise", "passed": "passed"}
        out.append(("learning-from-failure entry", state.get(facts.failure, "not_started")))
    return tuple(out)


def failure_outcome(spec: FailureSpec, scores: Mapping[str, int]) -> tuple[RubricOutcome, bool]:
    """The rubric's total and whether the entry passes: every criterion at the minimum level
    and the mean of the criteria at ``min_mean`` (CURRICULUM.md B0); 400 for a bad scoring."""
    outcome = rubric_outcome(spec.rubric, scores)
    levels = [level for _, level in outcome.levels]
    mean = sum(levels) / len(levels) if levels else 0.0
    return outcome, bool(levels) and not outcome.below_min and mean >= (spec.rubric.min_mean or 0)


# -- reading courses/practice-log.yaml --------------------------------------------------------


class SpecError(ContentSpecError):
    """courses/practice-log.yaml does not say what the log asks (the message lists why)."""


def parse_spec(data: Any, competency_ids: frozenset[str] | None = None) -> LogSpec:
    """The log's definition from the parsed YAML; SpecError naming every problem."""
    problems: list[str] = []
    spec = _Reader(problems, competency_ids).spec(data)
    if problems or spec is None:
        raise SpecError("courses/practice-log.yaml: " + "; ".join(problems or ["not a mapping"]))
    return spec


@dataclass
class _Reader:
    problems: list[str]
    competency_ids: frozenset[str] | None

    def need(self, data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
        value = data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool) or value in ("", [], {}):
            self.problems.append(f"{where}{key}: required ({kind.__name__})")
            return kind()
        return value

    def spec(self, data: Any) -> LogSpec | None:
        if not isinstance(data, dict):
            return None
        failure = self.failure(self.need(data, "learning_from_failure", dict, ""))
        return LogSpec(self.words(data, ""), self.sections(data, ""), failure)

    def words(self, data: Mapping[str, Any], where: str) -> int:
        value = self.need(data, "min_words", int, where)
        if value < 1:
            self.problems.append(f"{where}min_words: must be at least 1")
        return int(value)

    def sections(self, data: Mapping[str, Any], where: str) -> tuple[Section, ...]:
        out = []
        for n, raw in enumerate(self.need(data, "sections", list, where)):
            at = f"{where}sections[{n}]."
            raw = raw if isinstance(raw, dict) else {}
            out.append(
                Section(
                    self.need(raw, "id", str, at),
                    self.need(raw, "title", str, at),
                    self.need(raw, "help", str, at),
                )
            )
        if len({s.id for s in out}) != len(out):
            self.problems.append(f"{where}sections: ids must be unique")
        return tuple(out)

    def failure(self, data: Mapping[str, Any]) -> FailureSpec:
        at = "learning_from_failure."
        rule = self.need(data, "pass_rule", dict, at)
        rubric = self.need(data, "rubric", dict, at)
        levels = tuple(
            RubricLevel(int(lv.get("score", 0)), str(lv.get("label", "")))
            for lv in self.need(rubric, "levels", list, at + "rubric.")
            if isinstance(lv, dict)
        )
        if [lv.score for lv in levels] != [1, 2, 3, 4]:
            self.problems.append(f"{at}rubric.levels: must be the four levels 1-4, in order")
        criteria = tuple(
            self.criterion(raw, f"{at}rubric.criteria[{n}].")
            for n, raw in enumerate(self.need(rubric, "criteria", list, at + "rubric."))
        )
        mean = rule.get("min_mean")
        if not isinstance(mean, int | float) or isinstance(mean, bool) or not 1 <= mean <= 4:
            self.problems.append(f"{at}pass_rule.min_mean: a number from 1 to 4")
            mean = 4.0
        title = self.need(data, "title", str, at)
        assessed = Assignment(
            id="LFF",
            slug="learning-from-failure",
            kind="assignment",
            title=title,
            prompt=self.need(data, "prompt", str, at),
            word_limit=0,
            max_resubmissions=0,
            min_criterion_level=self.need(rule, "min_criterion_level", int, at + "pass_rule."),
            levels=levels,
            criteria=criteria,
            min_mean=float(mean),
        )
        return FailureSpec(
            module=self.need(data, "module", str, at),
            title=title,
            prompt=assessed.prompt,
            min_words=self.words(data, at),
            sections=self.sections(data, at),
            rubric=assessed,
        )

    def criterion(self, raw: Any, at: str) -> Criterion:
        raw = raw if isinstance(raw, dict) else {}
        competencies = tuple(str(c) for c in self.need(raw, "competencies", list, at))
        unknown = [c for c in competencies if self.competency_ids and c not in self.competency_ids]
        if unknown:
            self.problems.append(f"{at}competencies: unknown ids {', '.join(unknown)}")
        descriptors = self.need(raw, "descriptors", dict, at)
        if set(descriptors) != {1, 2, 3, 4} or not all(
            isinstance(v, str) and v.strip() for v in descriptors.values()
        ):
            self.problems.append(f"{at}descriptors: text for each of the levels 1-4")
        pairs = tuple(sorted((int(k), str(v)) for k, v in descriptors.items()))
        return Criterion(self.need(raw, "id", str, at), self.need(raw, "title", str, at),
                         competencies, pairs)  # fmt: skip
