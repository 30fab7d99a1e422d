"""The one CLI, ``lms-plugin``: run, worker, db, platform, deployments, keys, content, check,
scores, credentials, theme, admin (link).

Bad arguments print one line (``error: ...``) and exit with code 2; nothing is half-written,
because each command validates before it commits.
"""

from __future__ import annotations

import click
import redis
from sqlalchemy.exc import OperationalError

from lms_plugin.cli import (  # noqa: F401 - each module registers its commands
    admin,
    admin_link,
    content,
    credentials,
    keys,
    processes,
    scores,
    theme,
)
from lms_plugin.cli.common import cli
from lms_plugin.domain.errors import LmsError

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors and exit code 2 for anything the user can fix."""
    try:
        cli.main(args=argv, prog_name="lms-plugin", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(1) from None
    except click.UsageError as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        raise SystemExit(2) from None
    except LmsError as exc:  # the whole tree (domain/errors.py): said in one line
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except OperationalError as exc:  # the database is down, unreachable or refuses the login
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__
        click.echo(
            f"error: the database did not answer ({reason}). Check LMS_DATABASE_URL "
            "(`lms-plugin check` shows the settings in use).",
            err=True,
        )
        raise SystemExit(1) from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:  # the cache (shared store)
        click.echo(
            f"error: the cache did not answer ({str(exc).rstrip('.')}). Check LMS_CACHE_URL "
            "(`lms-plugin check` shows the settings in use).",
            err=True,
        )
        raise SystemExit(1) from None
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        raise SystemExit(exc.exit_code) from None
