"""Building the loader's leaf model objects from their fields: quiz items by type, assignments
and their rubrics, objectives, references and competencies.

Files are read by :mod:`.load_files`; :mod:`.loader` walks the tree and calls these readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .load_files import FileReader
from .model import (
    ITEM_TYPES,
    Assignment,
    Competency,
    Criterion,
    Item,
    Objective,
    Option,
    Reference,
    RubricLevel,
)
from .yamlsource import Fields, Map, is_kind

COMPETENCY_KINDS = ("principle", "competency", "tci_competency", "tci_function")
_TYPE_FIELDS = {
    "single_choice": ("choices", "answer"),
    "multi_select": ("choices", "answer"),
    "ordering": ("entries", "answer"),
    "matching": ("pairs_left", "pairs_right", "answer"),
    "numeric": ("answer", "tolerance", "unit"),
    "short_text": ("answer", "accept"),
}


class ItemReader(FileReader):
    """One reader per leaf model type, each keeping the :class:`Source` of what it builds."""

    def option(self, f: Fields) -> Option:
        return self.keep(Option(f.text("id"), f.text("text")), f.done())

    def objective(self, f: Fields) -> Objective:
        return self.keep(Objective(f.text("id"), f.text("text")), f.done())

    def level(self, f: Fields) -> RubricLevel:
        return self.keep(RubricLevel(f.integer("score"), f.text("label")), f.done())

    def item(self, f: Fields) -> Item | None:
        kind = f.get("type", "str")
        if kind not in _TYPE_FIELDS:
            if kind is not None:
                f.error("type", f"'type' must be one of: {', '.join(ITEM_TYPES)}")
            f.known.update(str(key) for key in f.data)  # unknowable without a type
            f.done()
            return None
        args: dict[str, Any] = dict(
            id=f.text("id"), type=kind, prompt=f.text("prompt"), feedback=f.text("feedback"),
            competencies=f.strs("competencies"), objectives=f.strs("objectives"),
            points=f.number("points", 1.0), not_with=f.strs("not_with", required=False),
        )  # fmt: skip
        for key in ("choices", "entries", "pairs_left", "pairs_right"):
            if key in _TYPE_FIELDS[kind]:
                args[key.removeprefix("pairs_")] = self.each(f, key, self.option)
        args.update(self.answer(kind, f))
        return self.keep(Item(**args), f.done(f" (not a field of {kind} items)"))

    def answer(self, kind: str, f: Fields) -> dict[str, Any]:
        """The :class:`Item` arguments of a ``kind`` item's answer."""
        if kind == "single_choice":
            return {"answer_id": f.text("answer")}
        if kind in ("multi_select", "ordering"):
            return {"answer_ids": f.strs("answer")}
        if kind == "matching":
            return {"pairs": self.pairs(f)}
        if kind == "numeric":
            number, tolerance = f.get("answer", "number"), f.number("tolerance", 0.0)
            unit = f.get("unit", "str", required=False)
            return {"number": number, "tolerance": tolerance, "unit": unit}
        return {"text_answer": f.text("answer"), "accept": f.strs("accept", required=False)}

    def pairs(self, f: Fields) -> tuple[tuple[str, str], ...]:
        answer = f.raw("answer")
        if isinstance(answer, Map) and all(is_kind(x, "str") for x in (*answer, *answer.values())):
            f.lines.update({f"answer[{k}]": line for k, line in answer.lines.items()})
            return tuple(answer.items())
        if "answer" in f.data:
            f.error("answer", "'answer' must map each left id to a right id")
        return ()

    def by_level(self, f: Fields, key: str, required: bool = True) -> tuple[tuple[int, str], ...]:
        """A mapping of rubric levels to text (descriptors, exemplars), sorted by level."""
        value = f.raw(key, required)
        if isinstance(value, Map) and all(
            is_kind(k, "int") and is_kind(v, "str") for k, v in value.items()
        ):
            f.lines.update({f"{key}[{k}]": line for k, line in value.lines.items()})
            return tuple(sorted(value.items()))
        if key in f.data:
            f.error(key, f"'{key}' must map the levels 1-4 to non-empty text")
        return ()

    def criterion(self, f: Fields) -> Criterion:
        descriptors = self.by_level(f, "descriptors")
        args = (f.text("id"), f.text("title"), f.strs("competencies"), descriptors)
        notes = f.get("scoring_notes", "str", required=False) or ""
        exemplars = self.by_level(f, "exemplars", required=False)
        return self.keep(Criterion(*args, notes, exemplars), f.done())

    def reference(self, f: Fields) -> Reference:
        args = (f.text("author"), f.integer("year"), f.text("title"), f.text("where"))
        return self.keep(Reference(*args, f.get("url", "str", required=False)), f.done())

    def assignment(self, path: Path, named_at: Fields) -> Assignment | None:
        f = self.fields(path, named_at, "assignment")
        if f is None:
            return None
        kind = f.text("kind")
        if kind and kind not in ("assignment", "capstone"):
            f.error("kind", "'kind' must be assignment or capstone")
        rule, rubric = f.sub("pass_rule"), f.sub("rubric")
        min_level = rule.integer("min_criterion_level")
        min_mean = rule.get("min_mean", "number", required=False)  # required by the linter
        levels = self.each(rubric, "levels", self.level)
        criteria = self.each(rubric, "criteria", self.criterion)
        f.absorb(rule)
        f.absorb(rubric)
        assignment = Assignment(
            f.text("id"), f.text("slug"), kind, f.text("title"), f.text("prompt"),
            f.integer("word_limit"), f.integer("max_resubmissions"), min_level, levels, criteria,
            min_mean, f.get("minutes", "int", required=False) or 0,
        )  # fmt: skip
        return self.keep(assignment, f.done())

    def competency(self, f: Fields) -> Competency:
        kind = f.text("kind")
        if kind and kind not in COMPETENCY_KINDS:
            f.error("kind", f"'kind' must be one of: {', '.join(COMPETENCY_KINDS)}")
        args = (f.text("id"), kind, f.text("name"), f.text("summary"))
        return self.keep(Competency(*args, f.get("domain", "str", required=False)), f.done())
