"""Record what a validated launch tells us: user, course context, membership, resource link."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.db.base import Base, utcnow
from lms_plugin.db.models import LtiContext, LtiUser, Membership, ResourceLink
from lms_plugin.domain.launch import LaunchContext
from lms_plugin.domain.service_urls import ServicePolicy
from lms_plugin.lti.tenants import DeploymentInfo
from lms_plugin.services import gradebook_columns
from lms_plugin.services.service_urls import AGS, NRPS, registration_policy, screen

M = TypeVar("M", bound=Base)
ROWS_CACHE_SECONDS = 600


class Cache(Protocol):
    def set(self, key: str, value: str, ttl: int) -> None: ...


@dataclass(frozen=True)
class LaunchRecord:
    """Ids of the rows a launch touched: what the launch session remembers."""

    registration_id: int
    deployment_id: int
    user_id: int
    context_id: int | None
    resource_link_id: int | None
    access: str
    roles: tuple[str, ...]

    @property
    def is_staff(self) -> bool:
        """Instructor, TA, ContentDeveloper or Administrator context roles (see domain.roles)."""
        return self.access in ("instructor", "admin")

    @property
    def staff_of_course(self) -> bool:
        """Staff in a launch from a course: the instructor pages are theirs."""
        return self.is_staff and self.context_id is not None


def upsert(
    session: Session, model: type[M], keys: dict[str, object], values: dict[str, object]
) -> M:
    """Find by natural key and update, or insert; a concurrent insert is retried as an update."""
    query = select(model).filter_by(**keys)
    row = session.scalars(query).first()
    if row is None:
        try:
            with session.begin_nested():
                row = model(**keys, **values)
                session.add(row)
            return row
        except IntegrityError:
            row = session.scalars(query).one()
    for name, value in values.items():
        setattr(row, name, value)
    return row


def opened_activities(session: Session, context_id: int, certificate: str) -> set[str]:
    """The modules whose links have been opened from this course (``certificate`` for a link
    that names no module: it opens the whole certificate). The tool knows a link once it is
    launched: one added to the course and never opened is not among them."""
    slugs = session.scalars(
        select(ResourceLink.module_slug).where(ResourceLink.context_id == context_id).distinct()
    )
    return {slug or certificate for slug in slugs}


def rows_key(registration_id: int, launch: LaunchContext) -> str:
    """The cache key for the rows of exactly these claims (a fingerprint of what is written)."""
    # vars(), not asdict(): this runs on every launch and asdict deep-copies as it goes.
    payload = json.dumps([registration_id, vars(launch)], sort_keys=True, default=_plain)
    return "launch-rows:" + hashlib.sha256(payload.encode()).hexdigest()


def _plain(value: object) -> object:
    return dict(value) if isinstance(value, Mapping) else str(value)


def record_launch(
    session: Session,
    deployment: DeploymentInfo,
    launch: LaunchContext,
    cache: Cache | None = None,
    cached: str | None = None,
    *,
    require_https: bool,
) -> LaunchRecord:
    """Upsert the launch's rows and commit; returns their ids.

    Learners relaunch the same activity many times with identical claims; when ``cached`` (the
    value at :func:`rows_key`, read by the caller) holds the ids for exactly these claims in
    this deployment, nothing is written. Service URLs (AGS, NRPS) are kept only where the
    platform's token may go (``require_https``: in production); others are kept apart as
    refusals, which instructors see (services.service_urls).
    """
    if cached is not None:
        data = json.loads(cached)
        # The deployment row's id and creation time pin the entry to this database's rows.
        if data.pop("deployment", None) == [deployment.id, deployment.created_at]:
            return LaunchRecord(**{**data, "roles": tuple(data["roles"])})
    record = _write_rows(session, deployment, launch, require_https)
    if cache is not None:
        value = {**asdict(record), "deployment": [deployment.id, deployment.created_at]}
        cache.set(
            rows_key(deployment.registration_id, launch), json.dumps(value), ROWS_CACHE_SECONDS
        )
    return record


def _write_rows(
    session: Session, deployment: DeploymentInfo, launch: LaunchContext, require_https: bool
) -> LaunchRecord:
    policy = (
        registration_policy(session, deployment.registration_id, require_https=require_https)
        if launch.ags or launch.nrps_url
        else None
    )
    adopt_lti1p1_user(session, deployment.registration_id, launch.sub, launch.lti1p1_user_id)
    user = upsert(
        session,
        LtiUser,
        {"registration_id": deployment.registration_id, "sub": launch.sub},
        {
            "name": launch.name,
            "email": launch.email,
            **({"lti1p1_user_id": launch.lti1p1_user_id} if launch.lti1p1_user_id else {}),
        },
    )
    context = link = None
    if launch.context_id:
        context = upsert(
            session,
            LtiContext,
            {"deployment_id": deployment.id, "context_id": launch.context_id},
            {
                "title": launch.context_title,
                "label": launch.context_label,
                **_nrps_values(launch, policy),
            },
        )
        session.flush()
        upsert(
            session,
            Membership,
            {"context_id": context.id, "user_id": user.id},
            # launched_at: the cohort tells members who launched from roster-only ones.
            {"roles": list(launch.roles), "access": launch.access.value, "launched_at": utcnow()},
        )
        if launch.resource_link_id:
            link = upsert(
                session,
                ResourceLink,
                {"context_id": context.id, "resource_link_id": launch.resource_link_id},
                {
                    "title": launch.resource_link_title,
                    **_module_value(launch),
                    **_ags_values(launch, policy),
                },
            )
            if link.ags_lineitem_url or link.module_slug:  # a column (AGS 2.0 §3.1, §3.2)
                session.flush()
                gradebook_columns.fill_new_column(session, link)
    session.commit()
    return LaunchRecord(
        registration_id=deployment.registration_id,
        deployment_id=deployment.id,
        user_id=user.id,
        context_id=context.id if context else None,
        resource_link_id=link.id if link else None,
        access=launch.access.value,
        roles=launch.roles,
    )


def adopt_lti1p1_user(
    session: Session, registration_id: int, sub: str, lti1p1_user_id: str | None
) -> None:
    """A sub this registration has never seen, carrying an LTI 1.1 user_id (LTI 1.3 Migration
    Guide, ``lti1p1`` claim): the row the person already has keeps their work and takes the new
    sub. That row is the one that recorded this 1.1 user_id, else one made in 1.1 terms (its
    sub is the 1.1 user_id and it never recorded another). Only within the launch's own
    registration, whose signature vouches for both ids; nothing moves across platforms."""
    if not lti1p1_user_id:
        return
    mine = select(LtiUser.id).filter_by(registration_id=registration_id)
    if session.scalar(mine.filter_by(sub=sub)) is not None:
        return
    row_id = session.scalar(mine.filter_by(lti1p1_user_id=lti1p1_user_id)) or session.scalar(
        mine.filter_by(sub=lti1p1_user_id).where(LtiUser.lti1p1_user_id.is_(None))
    )
    if row_id is not None:
        session.get_one(LtiUser, row_id).sub = sub
        session.flush()


def _module_value(launch: LaunchContext) -> dict[str, object]:
    """The module a link opens, from its custom parameter ``module=<slug>`` (set by the
    instructor or by deep linking); links without it open the program overview."""
    module = launch.custom.get("module")
    return {"module_slug": module} if module and len(module) <= SLUG_MAX else {}


SLUG_MAX = 200  # resource_link.module_slug; no module slug is near it


def _nrps_values(launch: LaunchContext, policy: ServicePolicy | None) -> dict[str, object]:
    """NRPS claim (NRPS 2.0 §3.6.1): the roster URL, if the platform's token may go there.
    A launch without the claim leaves what an earlier one recorded."""
    if not launch.nrps_url or policy is None:
        return {}
    kept, refused = screen({NRPS: launch.nrps_url}, policy)
    return {"nrps_url": kept.get(NRPS), "service_refusals": refused or None}


def _ags_values(launch: LaunchContext, policy: ServicePolicy | None) -> dict[str, object]:
    """AGS endpoint claim (AGS §3.1): remember the line item URLs the platform's token may go
    to, and the granted scopes. A submission review names only the reviewed line item: it
    leaves what the link's own launches recorded."""
    if not launch.ags or policy is None or launch.for_user is not None:
        return {}
    scope = launch.ags.get("scope")
    kept, refused = screen({claim: launch.ags.get(claim) for claim in AGS}, policy)
    return {
        "ags_lineitem_url": kept.get("lineitem"),
        "ags_lineitems_url": kept.get("lineitems"),
        "ags_scopes": [str(s) for s in scope] if isinstance(scope, list) else [],
        "service_refusals": refused or None,
    }
