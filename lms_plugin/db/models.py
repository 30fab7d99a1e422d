"""Tenancy and launch models. A tenant is registration + deployment + context (LMS course)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_plugin.db.base import Base, Timestamped, UTCDateTime, utcnow
from lms_plugin.db.sealed import SealedText


class Registration(Timestamped, Base):
    """One LMS registration (LTI 1.3 Core §3.1.3): issuer + client_id.

    Canvas shares one issuer across all its customers, so only the pair is unique.
    """

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    jwks_url: Mapped[str] = mapped_column(String(1000))
    product: Mapped[str] = mapped_column(String(20), default="other")
    active: Mapped[bool] = mapped_column(default=True)
    # Hosts besides those of the four URLs above where its service URLs may be (AGS, NRPS):
    # the platform's token is sent nowhere else (domain.service_urls).
    service_hosts: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )


class Deployment(Timestamped, Base):
    """A deployment of the tool in the platform (LTI 1.3 Core §3.1.3, deployment_id claim).

    Deployments seen in a verified launch but not yet trusted are stored ``pending``.
    """

    __tablename__ = "deployment"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | active
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    registration: Mapped[Registration] = relationship(back_populates="deployments")


class ToolKey(Timestamped, Base):
    """Our RSA signing key (Security Framework §6). JWKS serves ``active`` and ``next``."""

    __tablename__ = "tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_key_pem: Mapped[str] = mapped_column(SealedText)  # encrypted at rest
    state: Mapped[str] = mapped_column(String(10))  # next | active | retired
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:  # never show the private key
        return f"<ToolKey {self.kid} {self.state}>"


class LtiContext(Timestamped, Base):
    """An LMS course (context claim, LTI 1.3 Core §5.4.1): the cohort."""

    __tablename__ = "lti_context"
    __table_args__ = (UniqueConstraint("deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    label: Mapped[str | None] = mapped_column(String(255), nullable=True)
    nrps_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    # The instructor's switch: a gradebook column per module even for modules no link was
    # placed for (services.gradebook); off, only placed links' columns receive scores.
    module_columns: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A roster service URL the launch offered but the tool refused: {"context_memberships_url":
    # {"url": ..., "reason": ...}} (see services.service_urls), shown to instructors.
    service_refusals: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    deployment: Mapped[Deployment] = relationship()


class LtiUser(Timestamped, Base):
    """A person as the platform identifies them (``sub``, unique per registration)."""

    __tablename__ = "lti_user"
    __table_args__ = (
        UniqueConstraint("registration_id", "sub"),
        Index("ix_lti_user_registration_id_lti1p1_user_id", "registration_id", "lti1p1_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    email: Mapped[str | None] = mapped_column(String(500), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The LTI 1.1 user_id the platform sends beside sub (LTI 1.3 Migration Guide, lti1p1 claim):
    # a person who used a 1.1 link keeps this row when their 1.3 sub first appears.
    lti1p1_user_id: Mapped[str | None] = mapped_column(String(255), nullable=True)


class Membership(Timestamped, Base):
    """A user's roles in a context, from launches and (later) NRPS."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("context_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    access: Mapped[str] = mapped_column(String(20))  # learner | instructor | admin
    # The person's last launch in the course (None: known from the roster only, never launched).
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ResourceLink(Timestamped, Base):
    """A placement of the tool in a course (resource_link claim, LTI 1.3 Core §5.3.5)."""

    __tablename__ = "resource_link"
    __table_args__ = (UniqueConstraint("context_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    module_slug: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ags_lineitem_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    ags_lineitems_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # AGS URLs the launch offered but the tool refused, by claim name ("lineitem", "lineitems").
    service_refusals: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class KvEntry(Base):
    """The embedded key-value store (launch state, JWKS cache) when no Redis is configured."""

    __tablename__ = "kv_entry"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[float] = mapped_column(index=True)


# -- the reflective practice log and the competency self-assessment (issue 15, items 2 and 3) --
from lms_plugin.db.learning import LearnerScoped  # noqa: E402 - appended section


class PracticeLogEntry(LearnerScoped, Base):
    """A learner's practice log entry in one module (domain.practice_log): ``kind`` module (every
    module; complete at the word minimum) or failure (Level 2's learning-from-failure entry,
    submitted for an instructor's rubric review). ``sections`` maps section id -> text."""

    __tablename__ = "practice_log_entry"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # module | failure
    sections: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    word_count: Mapped[int] = mapped_column(default=0)
    # module: draft | complete; failure: draft | submitted | revise | passed
    status: Mapped[str] = mapped_column(String(12), default="draft")
    round: Mapped[int] = mapped_column(default=0)  # failure: submissions so far
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PracticeLogReview(Base):
    """An instructor's rubric scoring of one submitted round of a learning-from-failure entry,
    with the text it scored and the pass rule it was scored under."""

    __tablename__ = "practice_log_review"
    __table_args__ = (UniqueConstraint("entry_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("practice_log_entry.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id"))
    sections: Mapped[dict[str, str]] = mapped_column(JSON)
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    feedback: Mapped[str] = mapped_column(Text, default="")
    percent: Mapped[float]
    passed: Mapped[bool]
    rule_min_level: Mapped[int]
    rule_min_mean: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PracticeLogExemption(LearnerScoped, Base):
    """A module the learner had completed before the practice log existed (migration 0011): no
    entry is asked of it, so its completion (and any badge issued on it) stands."""

    __tablename__ = "practice_log_exemption"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SelfAssessment(Base):
    """A learner's self-rating (1-4) of each ISP competency at one point (domain.self_assessment:
    the start of Level 1, the end of each level), in one course."""

    __tablename__ = "self_assessment"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "point"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(
        ForeignKey("lti_context.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    point: Mapped[str] = mapped_column(String(50))
    ratings: Mapped[dict[str, int]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
