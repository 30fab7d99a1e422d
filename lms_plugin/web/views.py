"""What the landing page shows about the launched user, role and course."""

from __future__ import annotations

from typing import Any

from lms_plugin.db import db
from lms_plugin.db.models import LtiContext, LtiUser, Registration, ResourceLink
from lms_plugin.services.launches import LaunchRecord

ROLE_LABELS = {"learner": "Learner", "instructor": "Instructor", "admin": "Administrator"}


def launch_summary(record: LaunchRecord) -> dict[str, Any]:
    """The launched user, roles, course and resource link: the body of ``GET /api/v1/me``."""
    user = db.session.get(LtiUser, record.user_id)
    registration = db.session.get(Registration, record.registration_id)
    context = db.session.get(LtiContext, record.context_id) if record.context_id else None
    link = (
        db.session.get(ResourceLink, record.resource_link_id) if record.resource_link_id else None
    )
    assert user is not None and registration is not None
    return {
        "user": {"id": user.id, "sub": user.sub, "name": user.name, "email": user.email},
        "access": record.access,
        "roles": list(record.roles),
        "platform": {
            "name": registration.name,
            "issuer": registration.issuer,
            "client_id": registration.client_id,
            "product": registration.product,
        },
        "deployment_id": context.deployment.deployment_id if context else None,
        "context": None
        if context is None
        else {
            "id": context.id,
            "context_id": context.context_id,
            "title": context.title,
            "label": context.label,
        },
        "resource_link": None
        if link is None
        else {
            "id": link.id,
            "resource_link_id": link.resource_link_id,
            "title": link.title,
            "module_slug": link.module_slug,
        },
    }


def landing_context(record: LaunchRecord) -> dict[str, Any]:
    summary = launch_summary(record)
    return {"me": summary, "role_label": ROLE_LABELS[record.access]}
