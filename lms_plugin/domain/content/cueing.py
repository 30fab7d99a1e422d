"""The assessment-quality rule "Answer shown" (docs/content-format.md): a type-in item
whose answer another item of its pool shows (in its prompt or options) is answered by reading
that item when one attempt draws both. Such pairs are named in ``not_with``, so the draw keeps
them apart (domain/quiz_draw.py), or reworded."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .model import Item, Module
from .quality import Finding

TYPE_IN = ("numeric", "short_text")


def answers(item: Item) -> tuple[str, ...]:
    """What a type-in item accepts, as it would appear in another item's text."""
    if item.type == "numeric" and item.number is not None:
        return (f"{item.number:g}",)
    if item.type == "short_text" and item.text_answer:
        return (item.text_answer, *item.accept)
    return ()


def shown_text(item: Item) -> str:
    """What a learner reads of an item while answering: its prompt and its options."""
    options = (*item.choices, *item.entries, *item.left, *item.right)
    return "\n".join([item.prompt, *(option.text for option in options)]).lower()


def shows(text: str, answer: str) -> bool:
    """``answer`` as a whole word or number in ``text`` (``15`` is not in ``1.5`` or ``150``)."""
    return re.search(rf"(?<![\w.]){re.escape(answer.lower())}(?!\w|\.\d)", text) is not None


def given_away(module: Module) -> list[Finding]:
    """Each type-in item whose answer shows in another item of the pool that may be drawn
    with it (neither names the other in ``not_with``)."""
    return list(_given_away(module))


def _given_away(module: Module) -> Iterator[Finding]:
    texts = {item.id: shown_text(item) for item in module.items}
    for item in module.items:
        if item.type not in TYPE_IN:
            continue
        for other in module.items:
            if other.id == item.id or other.id in item.not_with or item.id in other.not_with:
                continue
            shown = next((a for a in answers(item) if shows(texts[other.id], a)), None)
            if shown is not None:
                yield (
                    item,
                    "answer",
                    f"its answer '{shown}' shows in {other.id} of the same pool: name "
                    f"{other.id} in 'not_with' (or reword one of them) so that no attempt "
                    "draws both",
                )
