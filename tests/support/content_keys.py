"""Answer keys from the real courses/ tree, so tests can answer a quiz right (or wrong)."""

from __future__ import annotations

from functools import cache
from typing import Any

from lms_plugin.domain.content.loader import load_catalogue
from lms_plugin.domain.content.model import Catalogue, Item, Module
from tests.conftest import COURSES

L1M1 = "l1-m1-role-of-the-isp"


@cache
def catalogue() -> Catalogue:
    loaded, problems = load_catalogue(COURSES)
    assert loaded is not None and not problems, problems
    return loaded


def module(slug: str) -> Module:
    found = catalogue().module(slug)
    assert found is not None, slug
    return found[1]


def right_answer(item: Item) -> Any:
    return {
        "single_choice": lambda: item.answer_id,
        "multi_select": lambda: list(item.answer_ids),
        "ordering": lambda: list(item.answer_ids),
        "matching": lambda: dict(item.pairs),
        "numeric": lambda: str(item.number),
        "short_text": lambda: item.text_answer,
    }[item.type]()


def answers_for(slug: str, item_ids: list[str]) -> dict[str, Any]:
    mod = module(slug)
    return {i: right_answer(mod.item(i)) for i in item_ids}  # type: ignore[arg-type]
