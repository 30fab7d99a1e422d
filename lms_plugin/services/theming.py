"""Each deployment's theme: set and cleared by an admin, read by every page of a launch."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.models import Deployment
from lms_plugin.db.theme import DeploymentTheme
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.theme import check_accent, check_institution_name
from lms_plugin.services.logos import Logo, clean_logo
from lms_plugin.services.platforms import find_deployment


@dataclass(frozen=True)
class ThemeInfo:
    """What the pages need: no logo bytes (they are served on their own, by digest)."""

    institution_name: str | None
    accent: str | None
    logo_sha256: str | None
    logo_type: str | None

    @classmethod
    def of(cls, row: DeploymentTheme) -> ThemeInfo:
        return cls(row.institution_name, row.accent, row.logo_sha256, row.logo_type)


@dataclass(frozen=True)
class ThemeChange:
    """What ``theme set`` was given; ``None`` leaves a part as it is."""

    name: str | None = None
    accent: str | None = None
    logo: bytes | None = None
    remove_logo: bool = False


def set_theme(
    session: Session, issuer: str, client_id: str, deployment_id: str, change: ThemeChange
) -> ThemeInfo:
    """Check every part first, then write the deployment's theme in one commit."""
    if change.logo is not None and change.remove_logo:
        raise InvalidInputError("give a logo or remove it, not both")
    name = check_institution_name(change.name) if change.name is not None else None
    accent = check_accent(change.accent) if change.accent is not None else None
    logo: Logo | None = clean_logo(change.logo) if change.logo is not None else None
    deployment = find_deployment(session, issuer, client_id, deployment_id)
    row = session.scalars(
        select(DeploymentTheme).filter_by(deployment_id=deployment.id)
    ).first() or DeploymentTheme(deployment_id=deployment.id)
    has_logo = logo is not None or (row.logo_sha256 is not None and not change.remove_logo)
    if has_logo and not (name or row.institution_name):
        # The name is the logo's text alternative (WCAG 2.2 SC 1.1.1), and the header's words.
        raise InvalidInputError("a logo needs the institution's name too: add --name")
    if name is not None:
        row.institution_name = name
    if accent is not None:
        row.accent = accent
    if logo is not None:
        row.logo, row.logo_type, row.logo_sha256 = logo.data, logo.content_type, logo.sha256
    if change.remove_logo:
        row.logo = row.logo_type = row.logo_sha256 = None
    session.add(row)
    session.commit()
    return ThemeInfo.of(row)


def clear_theme(session: Session, issuer: str, client_id: str, deployment_id: str) -> bool:
    """Back to the tool's own look; False when the deployment had no theme."""
    deployment = find_deployment(session, issuer, client_id, deployment_id)
    row = session.scalars(select(DeploymentTheme).filter_by(deployment_id=deployment.id)).first()
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


def theme_of(session: Session, deployment_pk: int) -> ThemeInfo | None:
    """The theme of a deployment (by its row id, as a launch session keeps it)."""
    row = session.execute(
        select(
            DeploymentTheme.institution_name,
            DeploymentTheme.accent,
            DeploymentTheme.logo_sha256,
            DeploymentTheme.logo_type,
        ).where(DeploymentTheme.deployment_id == deployment_pk)
    ).first()
    return None if row is None else ThemeInfo(*row)


def logo_by_digest(session: Session, sha256: str) -> tuple[bytes, str] | None:
    """A stored logo's bytes and type, found by its SHA-256 (hex)."""
    row = session.execute(
        select(DeploymentTheme.logo, DeploymentTheme.logo_type)
        .where(DeploymentTheme.logo_sha256 == sha256)
        .limit(1)
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return bytes(row[0]), str(row[1])


def list_themes(session: Session) -> list[tuple[Deployment, ThemeInfo]]:
    """Every themed deployment, with its registration loaded."""
    rows = session.execute(
        select(Deployment, DeploymentTheme)
        .join(DeploymentTheme, DeploymentTheme.deployment_id == Deployment.id)
        .order_by(Deployment.id)
    ).all()
    return [(deployment, ThemeInfo.of(theme)) for deployment, theme in rows]
