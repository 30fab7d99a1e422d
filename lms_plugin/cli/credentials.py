"""Admin commands for completion credentials: list them, revoke one, issue a failed one again."""

from __future__ import annotations

import json
import os

import click

from lms_plugin.cli.common import app_context, cli
from lms_plugin.cli.common import session as _session

STATUSES = ("pending", "issued", "failed", "revoked", "withheld")


@cli.group()
def credentials() -> None:
    """Level credentials (Open Badges 3.0): issued, waiting, failed, revoked."""


@credentials.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def credentials_list(status: str | None, limit: int) -> None:
    """Counts per status, then the latest credentials (of the chosen status)."""
    from lms_plugin.services.credentials import counts, list_awards

    with app_context():
        click.echo("  ".join(f"{name}={count}" for name, count in counts(_session()).items()))
        for row in list_awards(_session(), status, limit):
            award = row.award
            when = award.revoked_at or award.issued_at or award.created_at
            note = award.revoked_reason or award.last_error or ""
            click.echo(
                f"{award.uuid}\t{award.status}\t{award.program_slug}\tuser={row.sub or '-'}\t"
                f"course={row.course or '-'}\ttries={award.tries}\t{when:%Y-%m-%d %H:%M}\t"
                f"{note[:120]}"
            )


@credentials.command("show")
@click.argument("credential_id")
@click.option("--jwt", "as_jwt", is_flag=True, help="The VC-JWT instead of the JSON-LD")
def credentials_show(credential_id: str, as_jwt: bool) -> None:
    """Print an issued credential (JSON-LD with its proof, or the VC-JWT)."""
    from lms_plugin.services.credentials import get_public

    with app_context():
        public = get_public(_session(), credential_id)
        click.echo(public.credential_jwt if as_jwt else json.dumps(public.credential, indent=2))


@credentials.command("revoke")
@click.argument("credential_id")
@click.option("--reason", required=True, help="Why: recorded, and shown to the learner")
def credentials_revoke(credential_id: str, reason: str) -> None:
    """Revoke an issued credential: its status bit is set and the status list signed again."""
    from lms_plugin.services.credentials import revoke
    from lms_plugin.services.issuer_keys import issuer_from_settings

    with app_context() as app:
        urls = issuer_from_settings(app.extensions["lms_settings"]).urls
        by = f"admin {os.environ.get('USER', '')} (lms-plugin)".replace("  ", " ")
        done = revoke(_session(), urls, credential_id, reason, by)
        award = done.award
        assert award.status_list_id is not None
        click.echo(
            f"revoked {award.uuid} ({award.program_slug}); bit {award.status_index} of "
            f"{urls.status_list(award.status_list_id)} is set and the list is signed again"
        )
        click.echo("levels that need this one are no longer issued to this learner")
        for uuid in done.withheld:
            click.echo(f"withheld {uuid}: it will not be issued")
        for uuid in done.still_valid:
            click.echo(f"note: {uuid} needs this level but was issued before and stays valid")


@credentials.command("reissue")
@click.argument("credential_id")
def credentials_reissue(credential_id: str) -> None:
    """Queue a failed credential again (after its cause is fixed)."""
    from lms_plugin.services.credentials import reissue
    from worker import dispatch

    with app_context() as app:
        award = reissue(_session(), credential_id)
        dispatch.issue_awards(app.extensions["lms_settings"], app.extensions["lms_store"])
        click.echo(f"queued {award.uuid} ({award.program_slug}) to be issued again")
