"""What completion needs to know of the practice log: the log's definition (courses/
practice-log.yaml, read once per process) and each learner's log state per module, read in one
or two set queries for the learner pages (services.progress) and the grading drain
(services.grades)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from lms_plugin.db.models import PracticeLogEntry, PracticeLogExemption
from lms_plugin.domain.content.yamlsource import parse_yaml
from lms_plugin.domain.gradebook import Part, PartState
from lms_plugin.domain.practice_log import (
    FAILURE,
    LogFacts,
    LogSpec,
    gradebook_states,
    parse_spec,
)
from lms_plugin.paths import PROJECT_ROOT

Key = tuple[int, int, str]  # (context_id, user_id, module slug)
_ENTRY_KEY = (PracticeLogEntry.context_id, PracticeLogEntry.user_id, PracticeLogEntry.module_slug)
_EXEMPT_KEY = (
    PracticeLogExemption.context_id,
    PracticeLogExemption.user_id,
    PracticeLogExemption.module_slug,
)
# What completion reads of an entry: not its sections, whose JSON would be parsed for nothing.
_ENTRY_STATE = (
    *_ENTRY_KEY,
    PracticeLogEntry.kind,
    PracticeLogEntry.status,
    PracticeLogEntry.word_count,
)


@cache
def log_spec() -> LogSpec:
    """courses/practice-log.yaml (a broken file is a deployment error: content lint says why)."""
    path = PROJECT_ROOT / "courses" / "practice-log.yaml"
    data, problems = parse_yaml(path.read_text(encoding="utf-8"))
    if problems:
        raise RuntimeError("; ".join(f"courses/practice-log.yaml:{n}: {m}" for n, m in problems))
    return parse_spec(data)


def facts_for(
    spec: LogSpec,
    module_slug: str,
    entries: dict[str, Any],
    exempt: bool,
) -> LogFacts:
    """One module's LogFacts from its entries by kind (absent: not written)."""
    asks_failure = module_slug == spec.failure.module
    if exempt:
        return LogFacts("exempt", 0, "exempt" if asks_failure else None)
    entry = entries.get("module")
    state = "none" if entry is None else ("complete" if entry.status == "complete" else "draft")
    failure = entries.get(FAILURE)
    return LogFacts(
        state,  # type: ignore[arg-type]
        entry.word_count if entry is not None else 0,
        (failure.status if failure is not None else "none") if asks_failure else None,
    )


def log_facts(session: Session, keys: Iterable[Key]) -> dict[Key, LogFacts]:
    """LogFacts of each (context, user, module): two queries, whatever the number of keys."""
    wanted = list(set(keys))
    if not wanted:
        return {}
    entries = session.execute(select(*_ENTRY_STATE).where(tuple_(*_ENTRY_KEY).in_(wanted)))
    exempt = session.execute(select(*_EXEMPT_KEY).where(tuple_(*_EXEMPT_KEY).in_(wanted)))
    return _facts(wanted, entries, exempt)


def learners_log_facts(
    session: Session, learners: Iterable[tuple[int, int]], module_slugs: Iterable[str]
) -> dict[Key, LogFacts]:
    """LogFacts of each module for each (context, user): two queries per course on those
    learners' rows (a course's gradebook columns filled at once ask for every learner)."""
    by_course: defaultdict[int, set[int]] = defaultdict(set)
    for context_id, user_id in learners:
        by_course[context_id].add(user_id)
    slugs = set(module_slugs)
    found: dict[Key, LogFacts] = {}
    for context_id, users in by_course.items():
        wanted = [(context_id, user_id, slug) for user_id in users for slug in slugs]
        entries = session.execute(
            select(*_ENTRY_STATE).where(
                PracticeLogEntry.context_id == context_id, PracticeLogEntry.user_id.in_(users)
            )
        )
        exempt = session.execute(
            select(*_EXEMPT_KEY).where(
                PracticeLogExemption.context_id == context_id,
                PracticeLogExemption.user_id.in_(users),
            )
        )
        found.update(_facts(wanted, entries, exempt))
    return found


def learner_log_facts(
    session: Session, context_id: int, user_id: int, module_slugs: Iterable[str]
) -> dict[str, LogFacts]:
    """One learner's LogFacts per module slug: two queries on the learner's own rows, cheaper to
    build and send than `log_facts`' list of keys (every progress page and grade change asks)."""
    found = learners_log_facts(session, [(context_id, user_id)], module_slugs)
    return {key[2]: facts for key, facts in found.items()}


def _facts(
    wanted: list[Key], entries: Iterable[Any], exemptions: Iterable[Sequence[Any]]
) -> dict[Key, LogFacts]:
    """The wanted keys' LogFacts from the entry states and exemptions read (others ignored)."""
    spec = log_spec()
    by_key: dict[Key, dict[str, Any]] = {}
    for entry in entries:
        key = (entry.context_id, entry.user_id, entry.module_slug)
        by_key.setdefault(key, {})[entry.kind] = entry
    exempt = {(context_id, user_id, slug) for context_id, user_id, slug in exemptions}
    return {key: facts_for(spec, key[2], by_key.get(key, {}), key in exempt) for key in wanted}


def log_parts(facts: LogFacts | None) -> tuple[Part, ...]:
    """The log's required parts as the gradebook comment and progress name them."""
    return tuple(Part(noun, PartState(state)) for noun, state in gradebook_states(facts))
