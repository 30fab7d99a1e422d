"""A deployment's look: institution name, logo and accent colour (``lms-plugin theme set``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from lms_plugin.db.base import Base, Timestamped, UTCDateTime, utcnow


class DeploymentTheme(Timestamped, Base):
    """The theme every page of a launch through this deployment shows (LTI 1.3 Core §3.1.3:
    a deployment is one institution's, or one account's, installation of the tool).

    The logo is kept here, cleaned (services.logos), and served by the tool itself under its
    digest, so pages inside the LMS frame load nothing from other hosts (CSP ``img-src 'self'``).
    """

    __tablename__ = "deployment_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(
        ForeignKey("deployment.id", ondelete="CASCADE"), unique=True
    )
    institution_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    accent: Mapped[str | None] = mapped_column(String(7), nullable=True)  # "#rrggbb", AA-checked
    # Read only when the logo itself is served, never with the page's theme.
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    logo_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    logo_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
