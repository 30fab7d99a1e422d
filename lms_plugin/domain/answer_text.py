"""A quiz answer, and an item's correct answer, in words: the option texts a learner chose
rather than their ids (for the instructor's view of an attempt)."""

from __future__ import annotations

from collections.abc import Sequence

from lms_plugin.domain.content.model import Item, Option
from lms_plugin.domain.i18n import N_, _, decimal

NO_ANSWER = N_("(no answer)")  # in the reader's language when shown
_EXACT = "0.######"  # a number as written in the content, in the reader's decimal mark


def _texts(options: Sequence[Option], ids: Sequence[object]) -> list[str]:
    by_id = {o.id: o.text for o in options}
    return [
        by_id[str(i)] if str(i) in by_id else _("unknown option %(id)s", id=str(i)[:40])
        for i in ids
    ]


def answer_text(item: Item, response: object) -> str:
    """What the learner answered, as they saw it."""
    if response is None or response == "" or response == [] or response == {}:
        return _(NO_ANSWER)
    if item.type == "single_choice":
        return _texts(item.choices, [response])[0]
    if item.type == "multi_select" and isinstance(response, list):
        return "; ".join(_texts(item.choices, response))
    if item.type == "ordering" and isinstance(response, list):
        return " → ".join(_texts(item.entries, response))
    if item.type == "matching" and isinstance(response, dict):
        lefts = {o.id: o.text for o in item.left}
        rights = {o.id: o.text for o in item.right}
        return "; ".join(
            f"{lefts.get(str(k), k)} → {rights.get(str(v), v)}" for k, v in response.items()
        )
    return str(response)[:2000]


def key_text(item: Item) -> str:
    """The item's correct answer."""
    if item.type == "single_choice":
        return _texts(item.choices, [item.answer_id])[0]
    if item.type == "multi_select":
        return "; ".join(_texts(item.choices, item.answer_ids))
    if item.type == "ordering":
        return " → ".join(_texts(item.entries, item.answer_ids))
    if item.type == "matching":
        return answer_text(item, dict(item.pairs))
    if item.type == "numeric" and item.number is not None:  # the content lint requires one
        unit = f" {item.unit}" if item.unit else ""
        spread = f" (± {decimal(item.tolerance, _EXACT)})" if item.tolerance else ""
        return f"{decimal(item.number, _EXACT)}{unit}{spread}"
    return item.text_answer or " / ".join(item.accept)
