"""Which items an attempt draws from a module's pool, and in which order each item shows its
options: seeded, so an attempt shows the same quiz every time it is opened (fairness, not
security: S311 does not apply)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from lms_plugin.domain.content.model import Item, Option, QuizRules


def draw_items(items: Sequence[Item], rules: QuizRules, seed: int) -> list[str]:
    """``rules.draw`` item ids from the pool in shuffled order; same pool and seed, same list.

    A draw larger than the pool (the linter forbids it) yields the whole pool, shuffled.
    """
    ids = [item.id for item in items]
    count = max(0, min(rules.draw, len(ids)))
    return random.Random(seed).sample(ids, count)  # noqa: S311


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
