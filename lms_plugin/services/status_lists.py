"""Revocation status lists (W3C Bitstring Status List v1.0): give each credential a random
index, flip its bit on revocation, and publish the list as a signed credential.

Indexes are drawn at random ("Privacy Considerations": sequential ones would tell who was issued
when) and made unique by the database: (status_list_id, status_index) is a unique constraint. A
drain's batch draws its indexes together, drops those the list already holds (one query) and
writes them in one flush, in a savepoint: a draw that another drain holds too, not committed when
drawn, fails that flush, and the batch draws again. A list takes credentials until half of it is
used, then a new list is opened, so a draw rarely collides and each list keeps a large crowd to
hide in. The signed list credential is stored with the version of the bits it publishes and
rebuilt whenever they changed.

How much of a list is used is counted (an index-only count of its awards: 3 ms at 65,000 in
PostgreSQL, where a list is half full) at most once per RECOUNT_SECONDS in a process, which adds
its own placements to what it counted; a drain in between reads only which list is the newest.
Another process's placements since the count are seen at the next one: with several workers
issuing at their full rate, a list may pass its half by a few thousand indexes before a new one
is opened, far from full.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.badges.data_integrity import add_proof, xsd_datetime
from lms_plugin.badges.status_list import (
    MIN_ENTRIES,
    REVOCATION,
    StatusList,
    status_entry,
    status_list_credential,
)
from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import Award
from lms_plugin.db.credentials import StatusList as StatusListRow
from lms_plugin.domain.credential_urls import CredentialUrls
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.services.issuer_keys import ensure_issuer_keys, signing_keys

LIST_SIZE = MIN_ENTRIES
DRAWS = 32  # collisions in a list at most half full: 32 in a row have odds of 2**-32 per index
RECOUNT_SECONDS = 10.0  # how stale a process's count of the list it fills may be


@dataclass
class Allocator:
    """The list a drain is filling and how much of it is used (read once per drain)."""

    list_id: int | None = None
    used: int = 0


@dataclass
class _Count:
    list_id: int
    used: int
    at: float  # the clock's reading when counted


# Database URL -> the newest list as this process last counted it, plus its own placements since.
_COUNTED: dict[str, _Count] = {}
_clock: Callable[[], float] = time.monotonic


def allocate_all(
    session: Session, awards: Sequence[Award], allocator: Allocator, urls: CredentialUrls
) -> dict[int, dict[str, Any]]:
    """Give every award without one a free random index; their `credentialStatus` entries by
    award id (an award that has an index, a retry, keeps it)."""
    fresh = [a for a in awards if a.status_list_id is None or a.status_index is None]
    if fresh:
        list_id = _list_with_room(session, allocator)
        _place(session, fresh, list_id)
        allocator.used += len(fresh)
        counted = _COUNTED.get(_database(session))
        if counted is not None and counted.list_id == list_id:
            counted.used += len(fresh)
    return {
        award.id: status_entry(urls.status_list(award.status_list_id), award.status_index)
        for award in awards
        if award.status_list_id is not None and award.status_index is not None
    }


def _place(session: Session, awards: list[Award], list_id: int) -> None:
    """Write a free random index of the list on each award, in one flush."""
    for _ in range(DRAWS):
        try:
            with session.begin_nested():
                indexes = _free_draws(session, list_id, len(awards))
                for award, index in zip(awards, indexes, strict=True):
                    award.status_list_id, award.status_index = list_id, index
                session.flush()
            return
        except IntegrityError:  # another drain holds one, not committed when drawn: draw again
            continue
    raise RuntimeError(f"no free indexes could be written in status list {list_id}")


def _free_draws(session: Session, list_id: int, count: int) -> list[int]:
    """`count` distinct random indexes that no committed credential of the list holds."""
    chosen: list[int] = []
    for _ in range(DRAWS):
        drawn = [secrets.randbelow(LIST_SIZE) for _ in range(count - len(chosen))]
        held = set(
            session.scalars(
                select(Award.status_index).where(
                    Award.status_list_id == list_id, Award.status_index.in_(drawn)
                )
            )
        )
        for index in drawn:
            if index not in held and index not in chosen:
                chosen.append(index)
        if len(chosen) == count:
            return chosen
    raise RuntimeError(f"no {count} free indexes in status list {list_id} after {DRAWS} draws")


def _list_with_room(session: Session, allocator: Allocator) -> int:
    if allocator.list_id is None:
        allocator.list_id, allocator.used = _newest(session)
    if allocator.list_id is None or allocator.used >= LIST_SIZE // 2:
        # Two workers may both open one: two lists, each valid; nothing depends on one.
        row = StatusListRow(purpose=REVOCATION, size=LIST_SIZE, bits=bytes(LIST_SIZE // 8))
        with session.begin_nested():
            session.add(row)
        allocator.list_id, allocator.used = row.id, 0
        _COUNTED[_database(session)] = _Count(row.id, 0, _clock())
    return allocator.list_id


def _newest(session: Session) -> tuple[int | None, int]:
    """The newest revocation list and how much of it is used: one statement, which counts its
    awards only when this process's count of it is older than RECOUNT_SECONDS (a second one,
    counting, when another process has opened a newer list since)."""
    newest = (
        select(StatusListRow.id)
        .where(StatusListRow.purpose == REVOCATION)
        .order_by(StatusListRow.id.desc())
        .limit(1)
    )
    database, now = _database(session), _clock()
    counted = _COUNTED.get(database)
    if counted is not None and now - counted.at < RECOUNT_SECONDS:
        list_id = session.scalar(newest)
        if list_id == counted.list_id:
            return list_id, counted.used
        if list_id is None:
            return None, 0
    used = (
        select(func.count())
        .select_from(Award)
        .where(Award.status_list_id == StatusListRow.id)
        .correlate(StatusListRow)
        .scalar_subquery()
    )
    row = session.execute(newest.add_columns(used)).first()
    if row is None:
        return None, 0
    _COUNTED[database] = _Count(row[0], row[1] or 0, now)
    return row[0], row[1] or 0


def _database(session: Session) -> str:
    return str(session.get_bind().engine.url)


def set_revoked(session: Session, list_id: int, index: int, urls: CredentialUrls) -> None:
    """Set bit `index` of the list (row locked until the caller commits) and sign it again."""
    row = session.scalars(
        select(StatusListRow).where(StatusListRow.id == list_id).with_for_update()
    ).one()
    bits = StatusList(bytearray(row.bits))
    bits.set(index)
    row.bits, row.version, row.updated_at = bytes(bits.bits), row.version + 1, utcnow()
    _sign(session, row, urls)


def is_set(session: Session, list_id: int, index: int) -> bool:
    """Whether bit `index` of the list is set (the credential is revoked)."""
    bits = session.scalar(select(StatusListRow.bits).where(StatusListRow.id == list_id))
    if bits is None:
        raise NotFoundError("There is no such status list.")
    return StatusList(bytearray(bits)).get(index)


def status_list_document(session: Session, list_id: int, urls: CredentialUrls) -> dict[str, Any]:
    """The signed BitstringStatusListCredential served at urls.status_list(list_id)."""
    # Columns, not the row: every public page view reads this, and needs neither the bits nor
    # the ORM's bookkeeping unless the signed document is behind them.
    found = session.execute(
        select(StatusListRow.document, StatusListRow.version, StatusListRow.document_version).where(
            StatusListRow.id == list_id
        )
    ).first()
    if found is None:
        raise NotFoundError("There is no such status list.")
    document, version, signed_version = found
    if document is not None and signed_version == version:
        return dict(document)
    ensure_issuer_keys(session)
    row = session.scalars(
        select(StatusListRow).where(StatusListRow.id == list_id).with_for_update()
    ).one()
    if row.document is None or row.document_version != row.version:
        _sign(session, row, urls)
    session.commit()
    assert row.document is not None
    return row.document


def _sign(session: Session, row: StatusListRow, urls: CredentialUrls) -> None:
    keys = signing_keys(session, urls)
    unsigned = status_list_credential(
        urls.status_list(row.id),
        urls.issuer(),
        StatusList(bytearray(row.bits)),
        xsd_datetime(row.updated_at),
    )
    row.document = add_proof(unsigned, keys.proof_key, keys.verification_method, utcnow())
    row.document_version = row.version
