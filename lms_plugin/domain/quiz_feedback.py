"""Feedback on a graded quiz attempt, item by item: the learner's answer in words, the verdict,
the correct answer and the item's explanation (its ``feedback``), and what the item checks (the
module objectives it names).

An explanation says why the key is right, so it gives the key away: it is shown with the key
(when the module's settings allow it: domain/quiz_state.py reveal_answers), and before that only
where the learner's answer was right. A question not answered right, with its key still hidden,
says what it checks instead, so the learner knows what to read again without being handed the
answer for the next attempt, which may draw the same question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lms_plugin.domain.content.model import Item, Option


@dataclass(frozen=True)
class ItemFeedback:
    """One item of a graded attempt, as the learner reads it."""

    number: int  # 1-based, in the attempt's order
    item: Item
    your_answer: tuple[str, ...]  # lines; empty: no answer
    correct_answer: tuple[str, ...] | None  # None: not shown (the module's settings)
    verdict: str  # correct | partly | incorrect | unanswered
    points_awarded: float
    points_possible: float
    checks: tuple[str, ...] = ()  # the objectives the item checks, in words

    @property
    def explanation(self) -> str | None:
        """Why the key is right (Markdown): the item's ``feedback``, when the key is shown or
        the learner's answer was right (None: it would give the key away)."""
        if self.correct_answer is None and self.verdict != "correct":
            return None
        return self.item.feedback


def attempt_feedback(
    items: Sequence[Item],
    answers: Mapping[str, Any],
    results: Sequence[Mapping[str, Any]],
    *,
    reveal: bool,
    objectives: Mapping[str, str] | None = None,
) -> list[ItemFeedback]:
    """Each item of the attempt with its result (``results`` as grading stored them);
    ``objectives`` are the module's objective texts by id."""
    objectives = objectives or {}
    by_id = {r.get("item_id"): r for r in results}
    feedback = []
    for number, item in enumerate(items, start=1):
        result = by_id.get(item.id, {})
        given = answer_lines(item, answers.get(item.id))
        awarded = float(result.get("points_awarded") or 0.0)
        feedback.append(
            ItemFeedback(
                number=number,
                item=item,
                your_answer=given,
                correct_answer=key_lines(item) if reveal else None,
                verdict=_verdict(bool(result.get("correct")), awarded, given),
                points_awarded=awarded,
                points_possible=float(result.get("points_possible") or item.points),
                checks=tuple(objectives[o] for o in item.objectives if o in objectives),
            )
        )
    return feedback


def _verdict(correct: bool, awarded: float, given: tuple[str, ...]) -> str:
    if correct:
        return "correct"
    if awarded > 0:
        return "partly"
    return "incorrect" if given else "unanswered"


def _texts(options: Sequence[Option], ids: Sequence[Any]) -> tuple[str, ...]:
    by_id = {o.id: o.text for o in options}
    return tuple(by_id.get(str(i), str(i)) for i in ids)


def _number(value: float) -> str:
    return f"{value:g}"


def answer_lines(item: Item, response: Any) -> tuple[str, ...]:
    """What the learner answered, in words (empty when they left it blank)."""
    if response is None or (isinstance(response, str) and not response.strip()):
        return ()
    if item.type == "single_choice":
        return _texts(item.choices, [response])
    if item.type == "multi_select" and isinstance(response, list | tuple):
        order = {o.id: n for n, o in enumerate(item.choices)}  # as the key lists them
        return _texts(item.choices, sorted(response, key=lambda i: order.get(str(i), len(order))))
    if item.type == "ordering" and isinstance(response, list | tuple):
        return tuple(f"{n}. {text}" for n, text in enumerate(_texts(item.entries, response), 1))
    if item.type == "matching" and isinstance(response, Mapping):
        lefts = {o.id: o.text for o in item.left}
        return tuple(
            f"{lefts.get(left, left)} → {_texts(item.right, [right])[0]}"
            for left, right in response.items()
        )
    unit = f" {item.unit}" if item.type == "numeric" and item.unit else ""
    return (f"{response}{unit}",)


def key_lines(item: Item) -> tuple[str, ...]:
    """The correct answer, in words."""
    if item.type == "single_choice":
        return _texts(item.choices, [item.answer_id])
    if item.type == "multi_select":
        return tuple(o.text for o in item.choices if o.id in item.answer_ids)
    if item.type == "ordering":
        texts = _texts(item.entries, item.answer_ids)
        return tuple(f"{n}. {text}" for n, text in enumerate(texts, 1))
    if item.type == "matching":
        lefts = {o.id: o.text for o in item.left}
        return tuple(
            f"{lefts[left]} → {_texts(item.right, [right])[0]}" for left, right in item.pairs
        )
    if item.type == "numeric" and item.number is not None:
        unit = f" {item.unit}" if item.unit else ""
        within = f" (within ±{_number(item.tolerance)})" if item.tolerance else ""
        return (f"{_number(item.number)}{unit}{within}",)
    also = f" (also accepted: {', '.join(item.accept)})" if item.accept else ""
    return (f"{item.text_answer or ''}{also}",)
