"""``lms-plugin admin link``: a one-time sign-in URL for the admin pages (every platform)."""

from __future__ import annotations

import click

from lms_plugin.cli.common import app_context, cli


@cli.group("admin")
def admin_group() -> None:
    """The admin pages (/admin/) of the web app."""


@admin_group.command("link")
@click.option(
    "--minutes",
    type=click.FloatRange(min=1, max=24 * 60),
    default=15.0,
    show_default=True,
    help="How long the link stays usable (it works once either way)",
)
def admin_link(minutes: float) -> None:
    """Print a one-time URL that signs a browser in to the admin pages for 8 hours."""
    from lms_plugin.services.admin_access import issue_link

    with app_context() as app:
        token = issue_link(app.extensions["lms_store"], minutes)
        base = app.extensions["lms_settings"].public_url.rstrip("/")
    click.echo(f"{base}/admin/sign-in/{token}")
    click.echo(f"works once, for {minutes:g} minutes; open it in your browser", err=True)
