"""Content commands: lint the courses/ tree, sync it into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from lms_plugin.cli.common import COURSES_DIR, app_context, cli
from lms_plugin.cli.common import session as _session


@cli.group()
def content() -> None:
    """Certificate content in courses/ (data only)."""


@content.command("lint")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=COURSES_DIR,
    show_default=True,
)
def content_lint(root: Path) -> None:
    """Validate all content; print file:line: message for each problem, exit 1 on any."""
    from lms_plugin.domain.content.lint import lint_tree

    problems = lint_tree(root)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        raise SystemExit(1)
    click.echo("content ok")


@content.command("sync")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=COURSES_DIR,
    show_default=True,
)
def content_sync(root: Path) -> None:
    """Load content into the database by (slug, version); a changed module gets a new version."""
    with app_context():
        report = sync(root)
        for line in report.created:
            click.echo(f"new     {line}")
        click.echo(f"{len(report.created)} new, {len(report.unchanged)} unchanged")


def sync(root: Path) -> Any:
    from lms_plugin.domain.content.lint import load_checked_catalogue
    from lms_plugin.services.content import sync_content

    catalogue, problems = load_checked_catalogue(root)
    if catalogue is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("content has errors; nothing was synced (run content lint)")
    return sync_content(_session(), catalogue)
