"""Completion credentials: the issuer's keys, the awards, and the revocation status lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms_plugin.db.base import Base, UTCDateTime, utcnow
from lms_plugin.db.sealed import SealedText

ACTIVE_KEY = "state = 'active'"


class IssuerKey(Base):
    """A key the issuer signs credentials with (sealed at rest like the tool's keys).

    ``ed25519`` keys make the Data Integrity proofs (eddsa-rdfc-2022) and are published in the
    issuer Profile as Multikeys; ``rsa`` keys sign the VC-JWT form (RS256, which OB 3.0 §8.2
    requires every verifier to support). One active key per kind; retired keys stay published,
    so what they signed still verifies.
    """

    __tablename__ = "issuer_key"
    __table_args__ = (
        Index(
            "uq_issuer_key_active_kind",
            "kind",
            unique=True,
            postgresql_where=text(ACTIVE_KEY),
            sqlite_where=text(ACTIVE_KEY),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # ed25519 | rsa
    kid: Mapped[str] = mapped_column(String(100), unique=True)  # multibase | RFC 7638 thumbprint
    private_key_pem: Mapped[str] = mapped_column(SealedText)
    state: Mapped[str] = mapped_column(String(10))  # active | retired
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:  # never show the private key
        return f"<IssuerKey {self.kind} {self.kid} {self.state}>"


class StatusList(Base):
    """A W3C Bitstring Status List (revocation): one bit per credential, set when revoked.

    ``version`` grows with every change of ``bits``; ``document`` is the signed
    BitstringStatusListCredential of ``document_version`` (rebuilt when they differ).
    """

    __tablename__ = "status_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20), default="revocation")
    size: Mapped[int]
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(default=1)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    document_version: Mapped[int | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Award(Base):
    """One credential per learner (an LMS identity: registration + sub, i.e. ``lti_user``) and
    level. ``pending`` -> ``issued`` (-> ``revoked``); ``failed`` after an error (retried with
    backoff); ``withheld`` when a prerequisite level's credential was revoked.

    The row outlives the platform's removal (user and course become NULL): the credential stays
    verifiable and its status index is never given to another credential.
    """

    __tablename__ = "award"
    __table_args__ = (
        UniqueConstraint("user_id", "program_slug"),
        UniqueConstraint("status_list_id", "status_index"),
        Index("ix_award_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # the credential's id
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), nullable=True
    )
    context_id: Mapped[int | None] = mapped_column(  # the course it was earned in
        ForeignKey("lti_context.id", ondelete="SET NULL"), nullable=True, index=True
    )
    program_slug: Mapped[str] = mapped_column(String(200))
    program_version: Mapped[int | None] = mapped_column(nullable=True)  # set when issued
    status: Mapped[str] = mapped_column(String(10), default="pending")
    tries: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    subject_id: Mapped[str] = mapped_column(String(45))  # urn:uuid:..., never an LMS id
    credential: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    credential_jwt: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_list_id: Mapped[int | None] = mapped_column(ForeignKey("status_list.id"), nullable=True)
    status_index: Mapped[int | None] = mapped_column(nullable=True)
    show_name: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )  # on the public page
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # level completed
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)

    @property
    def public(self) -> bool:
        """It has a public page: issued, or revoked (the page then says so, and why)."""
        return self.status in ("issued", "revoked")
