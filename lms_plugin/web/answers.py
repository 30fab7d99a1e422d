"""Turn the quiz form's fields into the answer shapes the grading rules expect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from lms_plugin.domain.content.model import Item
from lms_plugin.domain.errors import UnprocessableError


def answers_from_form(items: Sequence[Item | None], form: MultiDict[str, str]) -> dict[str, Any]:
    """Field names: ``q-<item>`` (choice, ticks, number, text) and ``q-<item>-<sub id>``
    (an ordering entry's position, or a matching prompt's chosen option)."""
    answers: dict[str, Any] = {}
    for item in items:
        if item is None:
            continue
        name = f"q-{item.id}"
        if item.type == "multi_select":
            answers[item.id] = form.getlist(name)
        elif item.type == "ordering":
            answers[item.id] = _ordering(item, form)
        elif item.type == "matching":
            picked = {left.id: form.get(f"{name}-{left.id}", "") for left in item.left}
            answers[item.id] = picked if all(picked.values()) else None
        else:
            value = form.get(name, "").strip()
            answers[item.id] = value or None
    return answers


def _ordering(item: Item, form: MultiDict[str, str]) -> list[str] | None:
    positions: dict[str, int] = {}
    for entry in item.entries:
        raw = form.get(f"q-{item.id}-{entry.id}", "")
        if not raw:
            return None  # unanswered
        try:
            positions[entry.id] = int(raw)
        except ValueError:
            raise UnprocessableError(
                _("Positions must be numbers (%(item)s).", item=item.id)
            ) from None
    if sorted(positions.values()) != list(range(1, len(item.entries) + 1)):
        raise UnprocessableError(
            _(
                "Give each step a different position, from 1 to %(n)s, in “%(prompt)s”.",
                n=len(item.entries),
                prompt=item.prompt[:60],
            ),
            code="bad_ordering",
        )
    return sorted(positions, key=positions.__getitem__)
