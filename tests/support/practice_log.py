"""Practice log entries for tests: forms of an exact word count, and entries written as the
player leaves them (for helpers that complete modules without the browser)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms_plugin.db.base import utcnow
from lms_plugin.db.models import PracticeLogEntry
from lms_plugin.services.practice_log_facts import log_spec

SECTIONS = ("did", "happened", "learned", "next")
FAILURE_SECTIONS = ("happened", "why", "learned", "change")


def entry_form(words: int, sections: tuple[str, ...] = SECTIONS, word: str = "reflect") -> dict:
    """Every section written, ``words`` words in all (spread over the sections)."""
    share, extra = divmod(words, len(sections))
    counts = [share + (1 if n < extra else 0) for n in range(len(sections))]
    return {s: " ".join([word] * count) for s, count in zip(sections, counts, strict=True)}


def write_complete_log(session: Any, context_id: int, user_id: int, module_slug: str) -> None:
    """A complete entry in the module (and a passed learning-from-failure entry where the module
    asks for one), unless the learner has one already."""
    scope = {"context_id": context_id, "user_id": user_id, "module_slug": module_slug}
    kinds = ["module"] + (["failure"] if module_slug == log_spec().failure.module else [])
    for kind in kinds:
        if session.scalar(select(PracticeLogEntry.id).filter_by(**scope, kind=kind)) is None:
            names = SECTIONS if kind == "module" else FAILURE_SECTIONS
            status = "complete" if kind == "module" else "passed"
            session.add(
                PracticeLogEntry(
                    **scope, kind=kind, sections=entry_form(260, names), word_count=260,
                    status=status, round=int(kind == "failure"), completed_at=utcnow(),
                )
            )  # fmt: skip
