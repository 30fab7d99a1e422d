"""The answer-key rules of docs/content-format.md: each item's key fits its type (choices,
entries, pairs, tolerance). Reported by lint.py at the field named."""

from __future__ import annotations

from .model import Item


def answer_key_problems(item: Item) -> list[tuple[str, str]]:
    """(field, message) for the answer-key rules of docs/content-format.md."""
    kind, out = item.type, []
    choices = [c.id for c in item.choices]
    if kind in ("single_choice", "multi_select") and not 3 <= len(choices) <= 5:
        out.append(("choices", f"{kind} needs 3-5 choices (has {len(choices)})"))
    if kind == "single_choice" and item.answer_id not in choices:
        out.append(("answer", f"answer '{item.answer_id}' is not a choice id"))
    elif kind == "multi_select":
        picked = item.answer_ids
        out += [("answer", f"answer '{k}' is not a choice id") for k in picked if k not in choices]
        if len(set(picked)) != len(picked):
            out.append(("answer", "answer lists a choice more than once"))
        if len(set(picked)) < 2:
            out.append(("answer", "a multi_select answer needs at least 2 choice ids"))
        if not set(choices) - set(picked):
            out.append(("answer", "at least one choice must not be in the answer"))
    elif kind == "ordering":
        entries = [e.id for e in item.entries]
        if len(entries) < 3:
            out.append(("entries", f"ordering needs at least 3 entries (has {len(entries)})"))
        if sorted(item.answer_ids) != sorted(entries):
            out.append(("answer", "answer must list every entry id exactly once"))
    elif kind == "matching":
        left, right = [o.id for o in item.left], [o.id for o in item.right]
        keys, values = [k for k, _ in item.pairs], [v for _, v in item.pairs]
        if len(left) < 2 or len(right) < len(left):
            out.append(("pairs_right", "matching needs >= 2 left entries and as many right ones"))
        if sorted(keys) != sorted(left):
            out.append(("answer", "answer must map every left id exactly once"))
        out += [
            ("answer", f"answer value '{v}' is not a right id") for v in values if v not in right
        ]
        if len(set(values)) != len(values):
            out.append(("answer", "answer uses a right id more than once"))
    elif kind == "numeric" and item.tolerance < 0:
        out.append(("tolerance", "'tolerance' must not be negative"))
    return out
