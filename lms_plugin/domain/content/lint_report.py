"""The reporter the lint rules write to: a problem at ``file:line``, and the checks they share.

A field the loader already reported is not reported again. The rules themselves live in
:mod:`.lint` (catalogue, programs, modules) and :mod:`.lint_items` (lessons, quizzes, items,
assignments).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from . import quality
from .loader import Problem, Tree
from .markdown import markdown_problems, render_markdown

KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


class Reporter:
    """Collects the problems of one tree; ``root`` is the courses/ folder it was loaded from."""

    def __init__(self, tree: Tree, root: Path) -> None:
        self.tree, self.root = tree, root
        self.problems: list[Problem] = []
        self.first: dict[tuple[str, str], tuple[int, str]] = {}  # (scope, value) -> first use

    def report(self, obj: object, key: str | None, message: str) -> None:
        source = self.tree.source(obj)
        if key is None or key not in source.bad:
            self.problems.append(Problem(source.path, source.at(key), message))

    def unique(self, scope: str, what: str, value: str, obj: object, key: str) -> None:
        source = self.tree.source(obj)
        here = (id(obj), f"{source.path}:{source.at(key)}")
        if value and (first := self.first.setdefault((scope, value), here)) != here:
            self.report(obj, key, f"duplicate {what} '{value}' (first at {first[1]})")

    def check(self, ok: bool, obj: object, key: str, message: str) -> None:
        if not ok:
            self.report(obj, key, message)

    def known(self, obj: object, ids: Iterable[str], known: set[str], what: str, key: str) -> None:
        if not known:  # the catalogue itself did not load; that is reported already
            return
        for i, value in enumerate(ids):
            self.check(value in known, obj, f"{key}[{i}]", f"unknown {what} '{value}'")

    def findings(self, found: list[quality.Finding]) -> None:
        """Report what a rule of :mod:`.quality` found."""
        for obj, key, message in found:
            self.report(obj, key, message)

    def markdown(self, obj: object, key: str, text: str) -> None:
        """Markdown in a YAML field: problems are reported at the field's line."""
        for _, message in safe_markdown_problems(text):
            self.report(obj, key, message)

    def slug(self, obj: object, slug: str, key: str = "slug") -> None:
        self.check(not slug or bool(KEBAB.match(slug)), obj, key, f"'{slug}' is not kebab-case")


def safe_markdown_problems(text: str, figures: bool = False) -> list[tuple[int, str]]:
    """:func:`.markdown.markdown_problems`, once the text is known to render at all."""
    try:
        render_markdown(text)
    except Exception as exc:  # a renderer bug must surface as a problem, not a crash
        return [(0, f"Markdown does not render: {exc}")]
    return markdown_problems(text, figures)
