"""Admin view of the score outbox: what reached the LMS gradebooks, what failed and why."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from lms_plugin.cli.common import app_context, cli
from lms_plugin.cli.common import session as _session


@cli.group()
def scores() -> None:
    """Scores waiting for, sent to or refused by the LMS gradebooks."""


@scores.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "sent", "failed", "superseded"]),
    default="failed",
    show_default=True,
)
@click.option("--limit", default=50, show_default=True, type=int)
def scores_list(status: str, limit: int) -> None:
    """Counts per status, then the latest rows with the chosen status."""
    from lms_plugin.db.grading import ScoreOutbox
    from lms_plugin.db.models import LtiUser

    with app_context():
        counts = dict(
            _session()
            .execute(select(ScoreOutbox.status, func.count()).group_by(ScoreOutbox.status))
            .all()
        )
        click.echo(
            "  ".join(
                f"{name}={counts.get(name, 0)}"
                for name in ("pending", "sent", "failed", "superseded")
            )
        )
        rows = _session().execute(
            select(ScoreOutbox, LtiUser.sub)
            .join(LtiUser, LtiUser.id == ScoreOutbox.user_id)
            .where(ScoreOutbox.status == status)
            .order_by(ScoreOutbox.id.desc())
            .limit(limit)
        )
        for row, sub in rows:
            click.echo(
                f"{row.id}\tcontext={row.context_id}\tuser={sub}\t{row.module_slug}\t"
                f"{row.score_given:g}/{row.score_maximum:g}\ttries={row.tries}\t"
                f"{row.classification or ''}\t{(row.last_error or '')[:120]}"
            )


@scores.command("resend")
@click.option("--id", "ids", multiple=True, type=int, required=True, help="Repeat for several")
def scores_resend(ids: tuple[int, ...]) -> None:
    """Queue failed rows again (after the cause in the LMS is fixed)."""
    from flask import current_app

    from lms_plugin.db.grading import ScoreOutbox
    from lms_plugin.services.admin_outbox import resend
    from lms_plugin.settings import load_settings
    from worker import dispatch

    with app_context():
        wanted = list(dict.fromkeys(ids))  # each once, in the order given
        queued = resend(_session(), None, wanted)  # any platform's (the admin pages: one's)
        if queued:
            dispatch.publish_scores(load_settings(), current_app.extensions["lms_store"])
        left = [i for i in wanted if i not in queued]
        query = select(ScoreOutbox.id, ScoreOutbox.status).where(ScoreOutbox.id.in_(left))
        status = dict(_session().execute(query).tuples().all())
        click.echo(f"queued {len(queued)} of {len(wanted)}")
        for i in left:  # why each of the others was not
            why = (
                f"it is {status[i]}; only failed rows are resent" if i in status else "no such row"
            )
            click.echo(f"  {i}: not queued, {why} (`lms-plugin scores list --status ...`)")
