"""Which items an attempt draws from a module's pool, and in which order each item shows its
options: seeded, so an attempt shows the same quiz every time it is opened (fairness, not
security: S311 does not apply)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from lms_plugin.domain.content.model import Item, Option, QuizRules


def draw_items(items: Sequence[Item], rules: QuizRules, seed: int) -> list[str]:
    """``rules.draw`` item ids from the pool in shuffled order; same pool and seed, same list.

    Two items that must not meet (``not_with``, named on either side) are never drawn together
    while the pool has enough other items; a draw is never short for it. A draw larger than
    the pool (the linter forbids it) yields the whole pool, shuffled.
    """
    count = max(0, min(rules.draw, len(items)))
    pool = random.Random(seed).sample(list(items), len(items))  # noqa: S311
    apart = _apart(items)
    drawn: list[str] = []
    barred: set[str] = set()
    for item in pool:
        if len(drawn) == count:
            break
        if item.id not in barred:
            drawn.append(item.id)
            barred |= apart.get(item.id, set())
    left = [item.id for item in pool if item.id not in drawn]
    return drawn + left[: count - len(drawn)]


def _apart(items: Sequence[Item]) -> dict[str, set[str]]:
    """Each item's ``not_with`` both ways: naming another item keeps both apart."""
    apart: dict[str, set[str]] = {}
    for item in items:
        for other in item.not_with:
            apart.setdefault(item.id, set()).add(other)
            apart.setdefault(other, set()).add(item.id)
    return apart


def _display_options(item: Item) -> tuple[Option, ...]:
    if item.type in ("single_choice", "multi_select"):
        return item.choices
    if item.type == "ordering":
        return item.entries
    if item.type == "matching":
        return item.right
    return ()


def shuffled_options(item: Item, seed: int) -> list[str]:
    """Display order of an item's choices, entries or right-hand options for a seed.

    The seed is mixed with the item id, so one attempt seed shuffles each item differently.
    An ordering item is never shown in its key order (rotated by one if the shuffle hits it).
    """
    ids = [option.id for option in _display_options(item)]
    random.Random(f"{seed}:{item.id}").shuffle(ids)  # noqa: S311
    if item.type == "ordering" and len(ids) > 1 and tuple(ids) == item.answer_ids:
        ids = ids[1:] + ids[:1]
    return ids
