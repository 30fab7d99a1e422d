"""Rebuild modules and programs from the JSON snapshots ``content sync`` stores per version.

:func:`module_from_dict` inverts :meth:`Module.to_dict` and :func:`program_from_dict` inverts
:meth:`Program.to_dict` exactly, whether the dict is fresh or has been through JSON (which turns
tuples into lists). Missing or unexpected keys raise :class:`KeyError` / :class:`TypeError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .model import (
    Assignment,
    Badge,
    CompletionRule,
    Criterion,
    Figure,
    Item,
    Lesson,
    Module,
    Objective,
    Option,
    Program,
    QuizRules,
    Reference,
    RubricLevel,
)

Data = Mapping[str, Any]
_OPTION_FIELDS = ("choices", "entries", "left", "right")


def _strs(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _options(values: Iterable[Data]) -> tuple[Option, ...]:
    return tuple(Option(**v) for v in values)


def _item(data: Data) -> Item:
    fields = dict(data)
    for key in _OPTION_FIELDS:
        fields[key] = _options(data[key])
    fields["competencies"] = _strs(data["competencies"])
    fields["objectives"] = _strs(data["objectives"])
    fields["answer_ids"] = _strs(data["answer_ids"])
    fields["accept"] = _strs(data["accept"])
    fields["not_with"] = _strs(data.get("not_with", ()))  # absent from versions synced before
    fields["pairs"] = tuple((str(left), str(right)) for left, right in data["pairs"])
    fields["points"], fields["tolerance"] = float(data["points"]), float(data["tolerance"])
    fields["number"] = None if data["number"] is None else float(data["number"])
    return Item(**fields)


def _criterion(data: Data) -> Criterion:
    descriptors = tuple((int(score), str(text)) for score, text in data["descriptors"])
    competencies = _strs(data["competencies"])
    # scoring_notes and exemplars are absent from versions synced before issue 15
    exemplars = tuple((int(score), str(text)) for score, text in data.get("exemplars", ()))
    notes = str(data.get("scoring_notes", ""))
    return Criterion(data["id"], data["title"], competencies, descriptors, notes, exemplars)


def _assignment(data: Data | None) -> Assignment | None:
    if data is None:
        return None
    fields = dict(data)
    fields["levels"] = tuple(RubricLevel(**level) for level in data["levels"])
    fields["criteria"] = tuple(_criterion(c) for c in data["criteria"])
    if fields.get("min_mean") is not None:  # absent from versions synced before issue 15
        fields["min_mean"] = float(fields["min_mean"])
    return Assignment(**fields)


def module_from_dict(data: Data) -> Module:
    """The :class:`Module` whose ``to_dict()`` is ``data``."""
    fields = dict(data)
    fields["competencies"] = _strs(data["competencies"])
    fields["prerequisites"] = _strs(data["prerequisites"])
    fields["objectives"] = tuple(Objective(**o) for o in data["objectives"])
    fields["lessons"] = tuple(Lesson(**lesson) for lesson in data["lessons"])
    quiz = dict(data["quiz"])
    quiz["pass_percent"], quiz["cooldown_hours"] = (
        float(quiz["pass_percent"]),
        float(quiz["cooldown_hours"]),
    )
    fields["quiz"] = QuizRules(**quiz)
    fields["estimated_hours"] = float(data["estimated_hours"])
    fields["items"] = tuple(_item(i) for i in data["items"])
    fields["assignment"] = _assignment(data["assignment"])
    fields["completion"] = CompletionRule(**data["completion"])
    fields["references"] = tuple(Reference(**r) for r in data.get("references", ()))
    fields["figures"] = tuple(Figure(**f) for f in data.get("figures", ()))
    return Module(**fields)


def program_from_dict(data: Data, modules: Iterable[Module]) -> Program:
    """The :class:`Program` whose ``to_dict()`` is ``data``; ``data["modules"]`` lists slugs,
    and ``modules`` must hold a module for each of them (any order, extras ignored)."""
    by_slug = {module.slug: module for module in modules}
    missing = [slug for slug in data["modules"] if slug not in by_slug]
    if missing:
        raise KeyError(f"no module given for: {', '.join(missing)}")
    fields = dict(data)
    fields["prerequisites"] = _strs(data["prerequisites"])
    fields["modules"] = tuple(by_slug[slug] for slug in data["modules"])
    fields["badge"] = Badge(**data["badge"])
    fields["estimated_hours"] = float(data["estimated_hours"])
    return Program(**fields)
