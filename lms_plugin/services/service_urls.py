"""Service URLs from launches, screened by the platform's :class:`ServicePolicy`: which are kept,
which are refused (kept apart, to show instructors why grades or the roster do not flow), and
screening them again when an admin changes a platform's allowed service hosts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import ScoreOutbox
from lms_plugin.db.models import Deployment, LtiContext, Registration, ResourceLink
from lms_plugin.domain.i18n import _
from lms_plugin.domain.service_urls import FOREIGN_HOST, REASONS, ServicePolicy, host_of
from lms_plugin.lti.clients import service_policy
from lms_plugin.lti.service_client import HOST_NOT_ALLOWED

NRPS = "context_memberships_url"  # NRPS 2.0 §3.6.1, kept on the course (lti_context.nrps_url)
AGS = {"lineitem": "ags_lineitem_url", "lineitems": "ags_lineitems_url"}  # AGS 2.0 §3.1, per link
Refusals = dict[str, dict[str, str]]  # claim name -> {"url": ..., "reason": ...}


def screen(
    urls: Mapping[str, str | None], policy: ServicePolicy
) -> tuple[dict[str, str], Refusals]:
    """Split service URLs (by claim name) into those the token may go to and those refused."""
    kept: dict[str, str] = {}
    refused: Refusals = {}
    for claim, url in urls.items():
        if not url:
            continue
        refusal = policy.refusal(url)
        if refusal is None:
            kept[claim] = url
        else:
            refused[claim] = {"url": url, "reason": refusal.reason}
    return kept, refused


def registration_policy(
    session: Session, registration_id: int, *, require_https: bool
) -> ServicePolicy:
    return service_policy(
        session.get_one(Registration, registration_id), require_https=require_https
    )


@dataclass(frozen=True)
class Rescreened:
    enabled: int  # service URLs refused before, allowed now
    disabled: int  # service URLs kept before, refused now
    requeued: int  # scores that had failed only for their URL's host, queued again


def rescreen(session: Session, registration: Registration, *, require_https: bool) -> Rescreened:
    """Screen every kept and refused service URL of the platform's courses again (after its
    allowed hosts changed: the launches' cached rows would not be written again for a while);
    scores refused for their host are queued again. Commits."""
    policy = service_policy(registration, require_https=require_https)
    enabled = disabled = 0
    for context in session.scalars(
        select(LtiContext).join(Deployment).where(Deployment.registration_id == registration.id)
    ):
        moved = _rescreen(context, {NRPS: "nrps_url"}, policy)
        enabled, disabled = enabled + moved[0], disabled + moved[1]
    for link in session.scalars(
        select(ResourceLink)
        .join(LtiContext)
        .join(Deployment)
        .where(Deployment.registration_id == registration.id)
    ):
        moved = _rescreen(link, AGS, policy)
        enabled, disabled = enabled + moved[0], disabled + moved[1]
    contexts = (
        select(LtiContext.id).join(Deployment).where(Deployment.registration_id == registration.id)
    )
    requeued = session.execute(
        update(ScoreOutbox)
        .where(
            ScoreOutbox.context_id.in_(contexts),
            ScoreOutbox.status == "failed",
            ScoreOutbox.classification == HOST_NOT_ALLOWED,
        )
        .values(status="pending", next_attempt_at=utcnow())
    )
    session.commit()
    return Rescreened(enabled, disabled, requeued.rowcount)  # type: ignore[attr-defined]


def _rescreen(
    row: LtiContext | ResourceLink, columns: Mapping[str, str], policy: ServicePolicy
) -> tuple[int, int]:
    before: Refusals = dict(row.service_refusals or {})
    urls = {claim: getattr(row, column) for claim, column in columns.items()}
    urls.update({claim: entry["url"] for claim, entry in before.items() if claim in columns})
    kept, refused = screen(urls, policy)
    for claim, column in columns.items():
        setattr(row, column, kept.get(claim))
    row.service_refusals = refused or None
    return len(set(before) - set(refused)), len(set(refused) - set(before))


@dataclass(frozen=True)
class ServiceNotice:
    """A service the LMS offered for this course that the tool does not call, and why."""

    service: str  # "grades" (AGS) | "roster" (NRPS)
    url: str
    reason: str  # a key of domain.service_urls.REASONS
    host: str | None
    platform_hosts: tuple[str, ...]
    issuer: str
    client_id: str

    @property
    def because(self) -> str:
        """Why the tool does not call it, in the reader's language."""
        return _(REASONS[self.reason])

    @property
    def hint(self) -> str | None:
        return allow_command(self.issuer, self.client_id, self.host, self.reason)


def admin_hint(registration: Registration, refused: Mapping[str, str]) -> str | None:
    """What an admin can do about a refused service URL (stored as ``{"url", "reason"}``)."""
    host = host_of(refused["url"])
    return allow_command(registration.issuer, registration.client_id, host, refused["reason"])


def allow_command(issuer: str, client_id: str, host: str | None, reason: str) -> str | None:
    """The command that allows the host, when that would help (not for plain http in
    production: the LMS must offer https)."""
    if reason != FOREIGN_HOST or host is None:
        return None
    command = f"lms-plugin platform update --issuer {issuer} --client-id {client_id}"
    command += f" --service-host {host}"
    return _("An admin can allow that host with: %(command)s", command=command)


def notices(session: Session, context_id: int, service: str) -> list[ServiceNotice]:
    """The course's refused URLs of one service: "roster" (NRPS), "grades" (its links' AGS)."""
    context = session.get(LtiContext, context_id)
    if context is None:
        return []
    if service == "roster":
        entries = list((context.service_refusals or {}).values())
    else:
        entries = [
            entry
            for refusals in session.scalars(
                select(ResourceLink.service_refusals)
                .where(
                    ResourceLink.context_id == context_id,
                    ResourceLink.service_refusals.is_not(None),
                )
                .order_by(ResourceLink.id)
            )
            for entry in (refusals or {}).values()
        ]
    if not entries:  # most courses: nothing refused, and no platform to read
        return []
    registration = context.deployment.registration
    hosts = tuple(sorted(service_policy(registration, require_https=False).hosts))
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:  # one notice per URL, however many links offered it
        found.setdefault(entry["url"], entry)
    return [
        ServiceNotice(
            service=service,
            url=url,
            reason=entry["reason"],
            host=host_of(url),
            platform_hosts=hosts,
            issuer=registration.issuer,
            client_id=registration.client_id,
        )
        for url, entry in found.items()
    ]
