"""Load certificate content into the database by (slug, version), and read it back.

``sync_content`` is idempotent: unchanged modules are left alone; a module whose files changed
gets a new version row, so attempts made on the old version keep pointing at what they answered.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import Session

from lms_plugin.db.content import ContentModule, ContentProgram
from lms_plugin.domain.content.model import Catalogue, Module, Program
from lms_plugin.domain.content.snapshot import module_from_dict, program_from_dict
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.domain.i18n import _


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # "slug v<version>"
    unchanged: list[str] = field(default_factory=list)


def _hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def sync_content(session: Session, catalogue: Catalogue) -> SyncReport:
    """Store every program and module whose content is new or changed; commit once."""
    report = SyncReport()
    for program in catalogue.programs:
        _sync_row(
            session,
            ContentProgram,
            program.slug,
            program.to_dict(),
            report,
            declared_version=program.version,
            level=program.level,
            title=program.title,
        )
        for position, module in enumerate(program.modules):
            _sync_row(
                session,
                ContentModule,
                module.slug,
                module.to_dict(),
                report,
                declared_version=module.version,
                program_slug=program.slug,
                position=position,
            )
    session.commit()
    return report


Row = TypeVar("Row", ContentProgram, ContentModule)


def _sync_row(
    session: Session,
    model: type[Row],
    slug: str,
    data: dict[str, Any],
    report: SyncReport,
    **columns: Any,
) -> None:
    digest = _hash(data)
    latest = session.scalars(
        select(model).where(model.slug == slug).order_by(model.version.desc()).limit(1)
    ).first()
    if latest is not None and latest.content_hash == digest:
        report.unchanged.append(f"{slug} v{latest.version}")
        return
    version = 1 if latest is None else latest.version + 1
    session.add(model(slug=slug, version=version, content_hash=digest, data=data, **columns))
    report.created.append(f"{slug} v{version}")


@dataclass(frozen=True)
class CurrentContent:
    """The latest version of every program and module, with their database row ids."""

    programs: tuple[Program, ...]
    module_ids: dict[str, int]  # module slug -> content_module.id of its latest version

    def find(self, module_slug: str) -> tuple[Program, Module]:
        for program in self.programs:
            module = program.module(module_slug)
            if module is not None:
                return program, module
        raise NotFoundError(
            _("There is no module %(slug)s in this certificate.", slug=repr(module_slug))
        )


def current_content(session: Session) -> CurrentContent:
    """Latest versions, parsed once per process per content hash (rows never change)."""
    modules: dict[str, tuple[int, str]] = {}
    latest_programs: list[tuple[int, str]] = []
    for kind, row_id, slug, digest in session.execute(_LATEST):
        if kind == "m":
            modules[slug] = (row_id, digest)
        else:
            latest_programs.append((row_id, digest))
    module_digests = tuple(sorted(d for _id, d in modules.values()))
    programs = [
        _program(session, row_id, digest, module_digests) for row_id, digest in latest_programs
    ]
    programs.sort(key=lambda p: p.level)
    return CurrentContent(tuple(programs), {slug: v[0] for slug, v in modules.items()})


def module_version(session: Session, module_id: int) -> Module:
    """The exact module version an attempt was made on (rows never change, so each process
    asks the database once per version)."""
    bind = session.get_bind()
    key = (str(bind.engine.url), module_id)
    module = _BY_ID.get(key)
    if module is None:
        digest = session.scalar(
            select(ContentModule.content_hash).where(ContentModule.id == module_id)
        )
        if digest is None:
            raise NotFoundError(f"module version {module_id} does not exist")
        module = _BY_ID[key] = _module(session, digest)
    return module


def _latest_of(
    model: type[ContentProgram] | type[ContentModule], kind: str
) -> Select[str, int, str, str]:
    newest = select(model.slug, func.max(model.version).label("v")).group_by(model.slug).subquery()
    return select(literal(kind).label("kind"), model.id, model.slug, model.content_hash).join(
        newest, (model.slug == newest.c.slug) & (model.version == newest.c.v)
    )


# The latest version of every module ("m") and program ("p"): one statement, built once.
_LATEST = union_all(_latest_of(ContentModule, "m"), _latest_of(ContentProgram, "p"))


_PROGRAMS: dict[tuple[str, tuple[str, ...]], Program] = {}
_MODULES: dict[str, Module] = {}
_BY_ID: dict[tuple[str, int], Module] = {}  # (database, content_module.id) -> parsed module


def _program(
    session: Session, row_id: int, digest: str, module_digests: tuple[str, ...]
) -> Program:
    key = (digest, module_digests)
    if key not in _PROGRAMS:
        row = session.get(ContentProgram, row_id)
        assert row is not None
        by_slug = {m.slug: m for m in (_module(session, d) for d in module_digests)}
        modules = [by_slug[slug] for slug in row.data["modules"] if slug in by_slug]
        _PROGRAMS[key] = program_from_dict(row.data, modules)
    return _PROGRAMS[key]


def _module(session: Session, digest: str) -> Module:
    if digest not in _MODULES:
        row = session.scalars(
            select(ContentModule).where(ContentModule.content_hash == digest).limit(1)
        ).first()
        if row is None:
            raise NotFoundError("module content not found")
        _MODULES[digest] = module_from_dict(row.data)
    return _MODULES[digest]
