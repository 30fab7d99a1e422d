"""Quiz items of every type for grading tests, shaped like the courses/_spec/quiz.yaml examples."""

from __future__ import annotations

from typing import Any

from lms_plugin.domain.content.model import Item, Option


def make_options(*ids: str) -> tuple[Option, ...]:
    return tuple(Option(id=i, text=f"text {i}") for i in ids)


def make_item(item_type: str, **overrides: Any) -> Item:
    """A valid item of each type, shaped like the _spec/quiz.yaml examples."""
    by_type: dict[str, dict[str, Any]] = {
        "single_choice": {"choices": make_options("a", "b", "c", "d"), "answer_id": "b"},
        "multi_select": {"choices": make_options("a", "b", "c", "d"), "answer_ids": ("a", "c")},
        "ordering": {
            "entries": make_options("p", "e", "s", "i"),
            "answer_ids": ("e", "p", "i", "s"),
        },
        "matching": {
            "left": make_options("l1", "l2"),
            "right": make_options("r1", "r2", "r3"),
            "pairs": (("l1", "r1"), ("l2", "r2")),
        },
        "numeric": {"number": 75.0, "tolerance": 0.5, "unit": "%"},
        "short_text": {
            "text_answer": "opportunity",
            "accept": ("opportunities", "physical opportunity"),
        },
    }
    fields: dict[str, Any] = {
        "id": f"t-{item_type}",
        "type": item_type,
        "prompt": "?",
        "competencies": ("OI-3",),
        "objectives": ("o1",),
        "feedback": f"why {item_type}",
        **by_type.get(item_type, {}),
    }
    fields.update(overrides)
    return Item(**fields)
