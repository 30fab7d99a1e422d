"""Pure grading of quizzes: items of every type and quiz totals (a rubric's outcome is
``rubric_outcome``; which items an attempt draws, in which order, ``quiz_draw``).

Scoring follows docs/content-format.md. Choices made where the format is silent:

* multi_select (issue 15): each key ticked earns 1/K of the points, each distractor ticked costs
  1/D (K keys, D distractors: the penalties add up to the whole item, as Moodle's recommended
  negative grades for multiple-answer questions), floored at 0. Ticking every choice, or none,
  scores 0, and ticking at random averages 0, however many keys the item has.
* ordering gives positional partial credit: the fraction of entries the learner put in the
  key's position (all-or-nothing is too harsh for 5+ entries); full credit only when all are.
* matching gives the fraction of left-hand prompts matched to their key option.
* numeric accepts a number or a numeric string ("75", " 75.0 ", decimal comma "0,5") followed
  by the item's unit if it has one ("75%", "12 minutes"); a tiny epsilon absorbs float error.
* short_text compares after trimming, case-folding, collapsing inner whitespace and stripping
  trailing ``. , ; :``; other punctuation (hyphens) still counts.
* ``None`` (and a blank string) is an unanswered item: 0 points, never an error.

Learner input is read with string methods only, never a regular expression, and every answer
has a size cap checked before any other work: grading costs time linear in a capped size, so
no crafted answer can pin a worker (a backtracking regex over the answer once could: issue 12).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lms_plugin.domain.content.model import Item, Option, QuizRules
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.i18n import _

SHORT_TEXT_MAX_CHARS = 500
NUMERIC_MAX_CHARS = 64  # "-1234.5 percentage points" is 25; nothing longer is a number we take
ID_MAX_CHARS = 200  # a choice, entry, option or item id as sent; content ids are short slugs
_EPSILON = 1e-9
_TRAILING = ".,;: "


class InvalidAnswerError(InvalidInputError):
    """A response whose shape or ids do not fit its item (HTTP 400, code ``invalid_answer``)."""

    code = "invalid_answer"

    def __init__(self, item_id: str, message: str) -> None:
        super().__init__(message)
        self.item_id = item_id[:ID_MAX_CHARS]  # it may be the learner's, and is shown back


@dataclass(frozen=True)
class ItemResult:
    """The grade of one item; ``correct`` means full credit."""

    item_id: str
    points_awarded: float
    points_possible: float
    correct: bool
    feedback: str


@dataclass(frozen=True)
class QuizResult:
    """A graded attempt; ``results`` follow the order of the items given."""

    score: float
    max_score: float
    percent: float
    passed: bool
    results: tuple[ItemResult, ...]


# --- response validation ----------------------------------------------------------------


def _choose_one(what: str) -> str:
    # Whole sentences per kind of id (the learner reads them; languages inflect the nouns).
    return {
        "choice": _("Choose one of the choices listed in the item."),
        "entry": _("Choose one of the entries listed in the item."),
    }.get(what) or _("Choose one of the options listed in the item.")


def _one_id(item: Item, value: object, allowed: set[str], what: str) -> str:
    if not isinstance(value, str) or len(value) > ID_MAX_CHARS or value not in allowed:
        raise InvalidAnswerError(item.id, _choose_one(what))
    return value


def _id_list(item: Item, response: object, allowed: set[str], what: str) -> list[str]:
    entries = what == "entry"  # lists are of choices (multi_select) or entries (ordering)
    if not isinstance(response, list | tuple):
        message = _("Send the entries as a list of ids.") if entries else None
        raise InvalidAnswerError(item.id, message or _("Send the choices as a list of ids."))
    if len(response) > len(allowed):  # before looking at any id: the list may be huge
        n = len(allowed)
        message = _("Send at most %(n)s entries, each once.", n=n) if entries else None
        raise InvalidAnswerError(
            item.id, message or _("Send at most %(n)s choices, each once.", n=n)
        )
    ids = [_one_id(item, value, allowed, what) for value in response]
    if len(set(ids)) != len(ids):
        message = _("Each entry may appear only once.") if entries else None
        raise InvalidAnswerError(item.id, message or _("Each choice may appear only once."))
    return ids


def _ids(options: Sequence[Option]) -> set[str]:
    return {option.id for option in options}


def parse_number(item: Item, response: object) -> float:
    """The number a numeric response stands for; InvalidAnswerError when it is not one."""
    if isinstance(response, bool) or not isinstance(response, int | float | str):
        raise InvalidAnswerError(item.id, _("Type a number, such as 75 or 0.5."))
    if isinstance(response, str):
        if len(response) > NUMERIC_MAX_CHARS:
            raise InvalidAnswerError(
                item.id,
                _("Keep the number to %(n)s characters or fewer.", n=NUMERIC_MAX_CHARS),
            )
        read = read_number(response, item.unit)
        if read is None:
            raise InvalidAnswerError(item.id, _("Type a number, such as 75 or 0.5."))
        value = read
    else:
        try:
            value = float(response)
        except OverflowError:  # an int beyond any float
            value = math.inf
    if not math.isfinite(value):
        raise InvalidAnswerError(item.id, _("The number is too large."))
    return value


def read_number(text: str, unit: str | None = None) -> float | None:
    """The number ``text`` spells, or None: an optional sign, digits with at most one ``.`` or
    ``,`` (a decimal comma), then ``unit`` if given, in any case ("75", "+75.", ",5", "12 Minutes").

    String methods only, so the work is linear in ``len(text)`` for any text (no ReDoS).
    """
    folded = text.strip().casefold()
    suffix = (unit or "").strip().casefold()
    if suffix and folded.endswith(suffix):
        folded = folded[: -len(suffix)].rstrip()
    sign = folded[:1] if folded[:1] in ("+", "-") else ""
    whole, _point, fraction = folded[len(sign) :].replace(",", ".", 1).partition(".")
    if not (whole or fraction) or not all(part.isdecimal() for part in (whole, fraction) if part):
        return None
    # isdecimal() is what float() takes (no "_", "²", "1e2", "nan"); any script's digits.
    return float(f"{sign}{whole or 0}.{fraction or 0}")


def normalise_text(text: str) -> str:
    """Trim, case-fold, collapse inner whitespace and strip trailing ``. , ; :``."""
    return " ".join(text.casefold().split()).rstrip(_TRAILING)


# --- per-type graders: each returns the fraction of the item's points earned (0..1) -----


def _single_choice(item: Item, response: object) -> float:
    choice = _one_id(item, response, _ids(item.choices), "choice")
    return 1.0 if choice == item.answer_id else 0.0


def _multi_select(item: Item, response: object) -> float:
    ticked = set(_id_list(item, response, _ids(item.choices), "choice"))
    return multi_select_fraction(item, ticked)


def multi_select_fraction(item: Item, ticked: set[str]) -> float:
    """The fraction earned by ticking ``ticked`` (valid choice ids): right/K - wrong/D, >= 0."""
    key = set(item.answer_ids)
    distractors = len(_ids(item.choices) - key)
    if not key:
        return 0.0
    right, wrong = len(ticked & key), len(ticked - key)
    penalty = wrong / distractors if distractors else 0.0
    return max(0.0, right / len(key) - penalty)


def _ordering(item: Item, response: object) -> float:
    if isinstance(response, list | tuple) and len(response) != len(item.entries):
        raise InvalidAnswerError(item.id, _("Place every entry exactly once."))
    order = _id_list(item, response, _ids(item.entries), "entry")
    key = item.answer_ids
    in_place = sum(1 for given, want in zip(order, key, strict=False) if given == want)
    return in_place / len(key) if key else 0.0


def _matching(item: Item, response: object) -> float:
    if not isinstance(response, Mapping):
        raise InvalidAnswerError(item.id, _("Send one option id for each left-hand prompt."))
    left = _ids(item.left)
    if len(response) != len(left) or set(response) != left:
        raise InvalidAnswerError(item.id, _("Match every left-hand prompt, and only those."))
    right = _ids(item.right)
    for value in response.values():
        _one_id(item, value, right, "option")
    key = dict(item.pairs)
    matched = sum(1 for left_id in left if key.get(left_id) == response[left_id])
    return matched / len(left) if left else 0.0


def _numeric(item: Item, response: object) -> float:
    given = parse_number(item, response)
    if item.number is None:
        raise InvalidInputError(f"Numeric item {item.id} has no answer key.")
    slack = item.tolerance + _EPSILON * max(1.0, abs(item.number))
    return 1.0 if abs(given - item.number) <= slack else 0.0


def _short_text(item: Item, response: object) -> float:
    if not isinstance(response, str):
        raise InvalidAnswerError(item.id, _("Type the answer as text."))
    if len(response) > SHORT_TEXT_MAX_CHARS:
        raise InvalidAnswerError(
            item.id,
            _("Keep the answer to %(n)s characters or fewer.", n=SHORT_TEXT_MAX_CHARS),
        )
    given = normalise_text(response)
    keys = (item.text_answer or "", *item.accept)
    return 1.0 if given and any(given == normalise_text(key) for key in keys) else 0.0


_GRADERS: dict[str, Callable[[Item, object], float]] = {
    "single_choice": _single_choice,
    "multi_select": _multi_select,
    "ordering": _ordering,
    "matching": _matching,
    "numeric": _numeric,
    "short_text": _short_text,
}


def _unanswered(response: object) -> bool:
    return response is None or (isinstance(response, str) and not response.strip())


def grade_item(item: Item, response: object) -> ItemResult:
    """Grade one response; None or a blank string is unanswered (0 points)."""
    grader = _GRADERS.get(item.type)
    if grader is None:
        raise InvalidInputError(f"Item {item.id} has an unknown type {item.type!r}.")
    fraction = 0.0 if _unanswered(response) else grader(item, response)
    return ItemResult(
        item_id=item.id,
        points_awarded=round(fraction * item.points, 6),
        points_possible=item.points,
        correct=fraction >= 1.0,
        feedback=item.feedback,
    )


def grade_quiz(
    items: Sequence[Item], responses: Mapping[str, object], rules: QuizRules
) -> QuizResult:
    """Grade an attempt; items without a response are unanswered, unknown ids are refused."""
    known = {item.id for item in items}
    for item_id in responses:
        if item_id not in known:
            raise InvalidAnswerError(str(item_id), _("This item is not part of the attempt."))
    results = tuple(grade_item(item, responses.get(item.id)) for item in items)
    score = round(math.fsum(r.points_awarded for r in results), 6)
    max_score = round(math.fsum(r.points_possible for r in results), 6)
    percent = round(100.0 * score / max_score, 2) if max_score > 0 else 0.0
    return QuizResult(score, max_score, percent, percent >= rules.pass_percent, results)


def best_attempt(percents: Sequence[float]) -> float | None:
    """The best percent over graded attempts, or None when there is none."""
    return max(percents) if percents else None
