"""The course roster from the LMS (NRPS): the visible sync job, and the upsert of members.
Where each learner stands is the cohort dashboard's (services/cohort_grid.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import JobRun
from lms_plugin.db.models import LtiContext, LtiUser, Membership, Registration
from lms_plugin.domain.cohort import IDLE_DAYS
from lms_plugin.domain.errors import NotFoundError, UnprocessableError
from lms_plugin.domain.i18n import _
from lms_plugin.domain.roles import access_level
from lms_plugin.domain.service_urls import REASONS
from lms_plugin.lti.nrps import Member
from lms_plugin.services.launches import adopt_lti1p1_user, upsert
from lms_plugin.services.service_urls import NRPS, admin_hint

STALLED_AFTER = timedelta(days=IDLE_DAYS)  # the cohort's at-risk rule (domain.cohort)
# A sync takes seconds; about 17 minutes at worst (200 pages, 5 s timeout each). A job still
# running after this lost its worker (killed, or its message lost with the broker).
ABANDONED_AFTER = timedelta(minutes=30)
ABANDONED = (
    f"abandoned (no result after {ABANDONED_AFTER.seconds // 60} minutes: its worker stopped); "
    "a new sync replaced it"
)


@dataclass(frozen=True)
class RosterState:
    """The course's roster sync, and whether the roster is known: without a finished sync the
    tool knows only the learners who launched, so "never launched" cannot be counted."""

    offered: bool  # the LMS offered a roster service the tool may call
    synced_at: datetime | None  # when the latest finished sync read it; None before the first
    latest: JobRun | None  # the latest sync, whatever its state (the page shows its progress)

    @property
    def known(self) -> bool:
        return self.synced_at is not None

    @property
    def running(self) -> JobRun | None:
        """The latest sync while it runs (the pages follow it), else None."""
        return self.latest if self.latest is not None and self.latest.status == "running" else None

    def counts_never_launched(self, never_launched: int) -> bool:
        """Whether a count of never-launched learners is a fact: the roster is known, or some
        are known already (a sync that stopped part way brought them in)."""
        return self.known or never_launched > 0


class RosterPort(Protocol):
    def members(self, memberships_url: str) -> Iterable[Member]: ...


@dataclass(frozen=True)
class Started:
    """The course's roster sync job, and whether this call started it (then dispatch it) or
    joined one already running."""

    job: JobRun
    new: bool


def start_roster_sync(session: Session, context_id: int, now: datetime | None = None) -> Started:
    """The course's running sync, or a new visible job for it: one sync per course at a time
    (a partial unique index holds it even against concurrent starts). A running job older
    than ABANDONED_AFTER is marked failed and replaced. Refused when the course offers no
    roster service, or one the platform's token may not go to."""
    context = session.get(LtiContext, context_id)
    if context is None:
        raise NotFoundError(_("There is no such course."))
    if not context.nrps_url:
        raise _no_roster_service(context)
    now = now or utcnow()
    running = _running(session, context_id)
    if running is not None and running.created_at > now - ABANDONED_AFTER:
        return Started(running, new=False)
    if running is not None:
        session.execute(
            update(JobRun)
            .where(JobRun.id == running.id, JobRun.status == "running")
            .values(status="failed", result={"error": ABANDONED})
        )
    try:
        with session.begin_nested():
            job = JobRun(kind="roster_sync", context_id=context_id, status="running")
            session.add(job)
    except IntegrityError:  # another start won: join its job
        session.commit()  # keeps the abandoned job marked
        joined = _running(session, context_id)
        if joined is None:  # it finished meanwhile: start again
            return start_roster_sync(session, context_id, now)
        return Started(joined, new=False)
    session.commit()
    return Started(job, new=True)


def roster_state(session: Session, context_id: int) -> RosterState:
    """Whether the course offers its roster, its latest sync, and when the latest sync that
    finished read the roster (a sync reads it whole as it starts, in seconds)."""
    context = session.get(LtiContext, context_id)
    syncs = select(JobRun).filter_by(context_id=context_id, kind="roster_sync")
    latest = session.scalars(syncs.order_by(JobRun.id.desc()).limit(1)).first()
    if latest is not None and latest.status == "done":
        synced_at: datetime | None = latest.created_at
    else:
        synced_at = session.scalar(
            select(func.max(JobRun.created_at)).filter_by(
                context_id=context_id, kind="roster_sync", status="done"
            )
        )
    return RosterState(bool(context and context.nrps_url), synced_at, latest)


def _running(session: Session, context_id: int) -> JobRun | None:
    return session.scalars(
        select(JobRun)
        .filter_by(context_id=context_id, kind="roster_sync", status="running")
        .execution_options(populate_existing=True)
    ).first()


def _no_roster_service(context: LtiContext) -> UnprocessableError:
    refused = (context.service_refusals or {}).get(NRPS)
    if refused is None:
        return UnprocessableError(
            _(
                "The LMS did not offer its roster service (NRPS) for this course; learners appear"
                " here once they launch the tool."
            ),
            code="no_nrps",
        )
    return UnprocessableError(
        _(
            "The LMS offered its roster service at %(url)s, which %(because)s, so the tool does not"
            " send it the LMS's token; learners appear here once they launch the tool.",
            url=refused["url"],
            because=_(REASONS[refused["reason"]]),
        ),
        code="nrps_refused",
        hint=admin_hint(context.deployment.registration, refused),
    )


def rosters_due(session: Session, every: timedelta, now: datetime | None = None) -> list[int]:
    """Courses that offer the roster service and whose last sync started more than ``every``
    ago (or never): beat starts their sync so the cohort view stays current."""
    last = (
        select(JobRun.context_id, func.max(JobRun.created_at).label("at"))
        .where(JobRun.kind == "roster_sync")
        .group_by(JobRun.context_id)
        .subquery()
    )
    cutoff = (now or utcnow()) - every
    return list(
        session.scalars(
            select(LtiContext.id)
            .outerjoin(last, last.c.context_id == LtiContext.id)
            .where(LtiContext.nrps_url.is_not(None), (last.c.at.is_(None)) | (last.c.at < cutoff))
            .order_by(LtiContext.id)
        )
    )


def start_due_syncs(session: Session, every_hours: int) -> list[int]:
    """Start (as visible jobs) the syncs of every course due one; the job ids, for the caller to
    dispatch. ``every_hours`` 0: syncs start only when an instructor asks."""
    if every_hours <= 0:
        return []
    due = rosters_due(session, timedelta(hours=every_hours))
    started = (start_roster_sync(session, context_id) for context_id in due)
    return [s.job.id for s in started if s.new]  # a course syncing already: joined


def start_first_sync(session: Session, context_id: int, every_hours: int) -> Started | None:
    """The course's first roster sync, started when its staff first open the course's pages, so
    that they see who has never launched without waiting for the beat or a click. None (nothing
    started) where syncs start only when an instructor asks (``every_hours`` 0), where the
    course offers no roster service the tool may call, or once the course has had a sync."""
    if every_hours <= 0:
        return None
    context = session.get(LtiContext, context_id)
    if context is None or not context.nrps_url:
        return None
    synced = select(JobRun.id).filter_by(context_id=context_id, kind="roster_sync").limit(1)
    if session.scalar(synced) is not None:
        return None
    return start_roster_sync(session, context_id)


def sync_roster(
    session: Session, job_id: int, roster_for: Callable[[Registration], RosterPort]
) -> JobRun:
    """Upsert users and memberships from NRPS; members no longer active lose their membership.
    Idempotent: a rerun writes the same rows. Progress is written to the job as it goes."""
    job = session.get(JobRun, job_id)
    if job is None or job.context_id is None:
        raise NotFoundError(f"no roster job {job_id}")
    if job.status != "running":  # a late redelivery of a job replaced as abandoned, or done
        return job
    context = session.get(LtiContext, job.context_id)
    assert context is not None and context.nrps_url
    registration = context.deployment.registration
    members = list(roster_for(registration).members(context.nrps_url))
    job.total, job.done = len(members), 0
    active = 0
    for member in members:
        # A person a 1.1 link knew keeps their row (and work), as at their launch.
        adopt_lti1p1_user(session, registration.id, member.user_id, member.lti1p1_user_id)
        facts = {
            "name": member.name,
            "email": member.email,
            "lti1p1_user_id": member.lti1p1_user_id,
        }
        user = upsert(
            session,
            LtiUser,
            {"registration_id": registration.id, "sub": member.user_id},
            {k: v for k, v in facts.items() if v},
        )
        session.flush()
        if member.status == "Active":
            upsert(
                session,
                Membership,
                {"context_id": context.id, "user_id": user.id},
                {"roles": list(member.roles), "access": access_level(member.roles).value},
            )
            active += 1
        else:
            session.execute(delete(Membership).filter_by(context_id=context.id, user_id=user.id))
        job.done += 1
        if job.done % 50 == 0:
            session.commit()  # progress visible to the instructor's page
    job.status, job.result = "done", {"members": len(members), "active": active}
    session.commit()
    return job


def fail_job(session: Session, job_id: int, message: str) -> None:
    job = session.get(JobRun, job_id)
    if job is not None:
        job.status, job.result = "failed", {"error": message[:1000]}
        session.commit()


def job(session: Session, context_id: int, job_id: int) -> JobRun:
    found = session.scalars(select(JobRun).filter_by(id=job_id, context_id=context_id)).first()
    if found is None:
        raise NotFoundError(_("There is no such job in this course."))
    return found
