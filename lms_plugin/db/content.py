"""Content versions loaded from courses/ by ``content sync``. Never edited in the database.

A change in a module's files makes a new row (version + 1); learners' attempts point at the row
they answered, so their history keeps the content they saw.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms_plugin.db.base import Base, Timestamped


class ContentRow(Timestamped):
    """Columns every stored content version has."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    declared_version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ContentProgram(ContentRow, Base):
    __tablename__ = "content_program"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    slug: Mapped[str] = mapped_column(String(200))
    level: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))


class ContentModule(ContentRow, Base):
    __tablename__ = "content_module"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    program_slug: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), index=True)
    position: Mapped[int]
