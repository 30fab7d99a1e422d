"""``lms-plugin keys``: the tool's LTI signing keys and the credential issuer's keys."""

from __future__ import annotations

import click

from lms_plugin.cli.common import app_context, cli
from lms_plugin.cli.common import session as _session


@cli.group()
def keys() -> None:
    """The tool's signing keys (LTI) and the credential issuer's keys."""


@keys.command("rotate")
@click.option(
    "--purpose",
    type=click.Choice(["lti", "credentials"]),
    default="lti",
    show_default=True,
    help="lti: the tool's keys for LMS messages; credentials: the badge issuer's keys",
)
def keys_rotate(purpose: str) -> None:
    """lti: promote the next key to active, retire the old one, publish a new next key.
    credentials: retire the issuer's active keys (still published, so what they signed still
    verifies) and make new ones."""
    from lms_plugin.services.issuer_keys import rotate_issuer_keys
    from lms_plugin.services.keys import rotate_keys

    with app_context():
        if purpose == "credentials":
            fresh = rotate_issuer_keys(_session())
            made = ", ".join(f"{key.kind} {key.kid}" for key in fresh)
            click.echo(f"issuer keys rotated: active {made}; the old ones stay published")
            return
        active, nxt = rotate_keys(_session())
        click.echo(f"active key {active}; next key {nxt}")


@keys.command("list")
def keys_list() -> None:
    """Every key: the tool's (lti) and the issuer's (credentials), with their state."""
    from lms_plugin.db.credentials import IssuerKey
    from lms_plugin.db.models import ToolKey

    with app_context():
        for k in _session().query(ToolKey).order_by(ToolKey.id):
            click.echo(f"{k.kid}\t{k.state}\tcreated {k.created_at:%Y-%m-%d}\tlti")
        for ik in _session().query(IssuerKey).order_by(IssuerKey.id):
            click.echo(
                f"{ik.kid}\t{ik.state}\tcreated {ik.created_at:%Y-%m-%d}\tcredentials {ik.kind}"
            )
