"""Is the database's schema the one this code needs? Alembic's own record (the revision in
``alembic_version``) against the heads of ``migrations/`` (Alembic's ``ScriptDirectory``).

A database that was never migrated, or that is behind the code, cannot serve it: the CLI says
which command to run (``lms-plugin db upgrade``) instead of a traceback from the first query,
and ``/readyz`` keeps the web process out of its load balancer. A database *ahead* of the code
(a revision this code does not know, as during a rolling upgrade after the migration has run)
is not refused: migrations add before they remove, so the older code still works on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from sqlalchemy import column, inspect, select, table
from sqlalchemy.engine import Connection

from lms_plugin.domain.errors import LmsError
from lms_plugin.domain.i18n import _
from lms_plugin.paths import MIGRATIONS_DIR

VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps


class SchemaBehindError(LmsError):
    """The database lacks migrations this code needs (503: it cannot serve until migrated)."""

    status = 503
    code = "schema_behind"


@dataclass(frozen=True)
class SchemaState:
    current: tuple[str, ...]  # the revisions the database records (none: never migrated)
    heads: tuple[str, ...]  # the heads of this code's migrations
    behind: bool  # a head of the code is not applied

    def require_current(self) -> None:
        """Raise ``SchemaBehindError`` naming the command that fixes it."""
        if not self.behind:
            return
        if not self.current:
            raise SchemaBehindError(
                _(
                    "The database has no tables yet. Run `lms-plugin db upgrade` first "
                    "(`lms-plugin run` and `./scripts/run` do it when they start)."
                )
            )
        raise SchemaBehindError(
            _(
                "The database is at migration %(current)s; this version of the tool needs "
                "%(heads)s. Run `lms-plugin db upgrade`.",
                current=", ".join(self.current),
                heads=", ".join(self.heads),
            )
        )


def schema_state(connection: Connection, migrations: Path = MIGRATIONS_DIR) -> SchemaState:
    """The database's migrations against the code's, on an open connection."""
    script = _scripts(migrations)
    heads = tuple(script.get_heads())
    current = _recorded(connection)
    applied: set[str] = set()
    for revision in current:
        try:
            applied.update(r.revision for r in script.iterate_revisions(revision, "base"))
        except RevisionError:  # a revision this code does not know: the database is ahead
            return SchemaState(current, heads, behind=False)
    return SchemaState(current, heads, behind=not set(heads) <= applied)


@cache
def _scripts(migrations: Path) -> ScriptDirectory:
    """The code's migrations, read once per process (they do not change while it runs)."""
    if not (migrations / "env.py").is_file():
        raise SchemaBehindError(
            _(
                "No migrations folder at %(path)s: run the tool from the directory that holds "
                "migrations/ and courses/ (the image's /app, or the checkout).",
                path=str(migrations),
            ),
            code="migrations_not_found",
        )
    config = Config()
    config.set_main_option("script_location", str(migrations))
    return ScriptDirectory.from_config(config)


def _recorded(connection: Connection) -> tuple[str, ...]:
    """The revisions in Alembic's version table (what ``MigrationContext.get_current_heads``
    reads, without the two INFO lines it logs each time it is set up)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return ()
    versions = table(VERSION_TABLE, column("version_num"))
    return tuple(connection.execute(select(versions.c.version_num)).scalars())
