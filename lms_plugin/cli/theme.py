"""``lms-plugin theme``: a deployment's institution name, logo and accent colour."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from lms_plugin.cli.common import app_context, cli, deployment_options
from lms_plugin.cli.common import session as _session

if TYPE_CHECKING:
    from lms_plugin.services.theming import ThemeInfo


@cli.group()
def theme() -> None:
    """How the pages look for one deployment (shown on every page of its launches)."""


@theme.command("set")
@deployment_options
@click.option("--name", help="The institution's name, shown in the header")
@click.option(
    "--logo",
    help="A PNG, JPEG, WebP, GIF or SVG file (at most 512 KB); the tool keeps a cleaned copy",
)
@click.option("--no-logo", is_flag=True, help="Remove the logo")
@click.option(
    "--accent",
    help="A hex colour (e.g. #0b5cad) with at least 4.5:1 contrast to white (WCAG 2.2 AA)",
)
def theme_set(
    issuer: str,
    client_id: str,
    deployment_id: str,
    name: str | None,
    logo: str | None,
    no_logo: bool,
    accent: str | None,
) -> None:
    """Set any of the name, logo and accent colour; what is not given stays as it was."""
    from lms_plugin.services.theming import ThemeChange, set_theme

    if name is None and logo is None and accent is None and not no_logo:
        raise click.UsageError("give --name, --logo, --no-logo or --accent")
    change = ThemeChange(
        name=name, accent=accent, logo=_read_logo(logo) if logo else None, remove_logo=no_logo
    )
    with app_context():
        info = set_theme(_session(), issuer, client_id, deployment_id, change)
        click.echo(f"deployment {deployment_id}: {_describe(info)}")


def _read_logo(value: str) -> bytes:
    if value.startswith(("http://", "https://")):
        # Pages inside the LMS load nothing from other hosts (CSP 'self'; no learner's address
        # is sent elsewhere), so the tool serves its own copy of the logo.
        raise click.UsageError(
            "--logo takes a file: download the logo, then give its path (the tool serves its "
            "own cleaned copy)"
        )
    path = Path(value).expanduser()
    if not path.is_file():
        raise click.UsageError(f"--logo: no file at {value}")
    return path.read_bytes()


@theme.command("show")
@deployment_options
def theme_show(issuer: str, client_id: str, deployment_id: str) -> None:
    """The deployment's theme."""
    from lms_plugin.services.platforms import find_deployment
    from lms_plugin.services.theming import theme_of

    with app_context():
        deployment = find_deployment(_session(), issuer, client_id, deployment_id)
        info = theme_of(_session(), deployment.id)
        click.echo(f"deployment {deployment_id}: {_describe(info) if info else 'no theme'}")


@theme.command("clear")
@deployment_options
def theme_clear(issuer: str, client_id: str, deployment_id: str) -> None:
    """Back to the tool's own look."""
    from lms_plugin.services.theming import clear_theme

    with app_context():
        had = clear_theme(_session(), issuer, client_id, deployment_id)
        click.echo(f"deployment {deployment_id}: {'theme cleared' if had else 'had no theme'}")


@theme.command("list")
def theme_list() -> None:
    """Every deployment with a theme."""
    from lms_plugin.services.theming import list_themes

    with app_context():
        rows = list_themes(_session())
        if not rows:
            click.echo("no themes")
        for deployment, info in rows:
            reg = deployment.registration
            click.echo(
                f"{deployment.deployment_id}\t{reg.issuer}\tclient={reg.client_id}\t"
                f"{_describe(info)}"
            )


def _describe(info: ThemeInfo) -> str:
    logo = f"{info.logo_type} logo {info.logo_sha256[:12]}" if info.logo_sha256 else "no logo"
    return f"name {info.institution_name or '(none)'}, accent {info.accent or '(default)'}, {logo}"
