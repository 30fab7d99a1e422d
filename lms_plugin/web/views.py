"""What ``GET /api/v1/me`` and the page header show about the launched user and course."""

from __future__ import annotations

from typing import Any

from lms_plugin.domain.launch import LaunchContext
from lms_plugin.lti.tenants import RegistrationInfo
from lms_plugin.services.launches import LaunchRecord


def launch_summary(
    record: LaunchRecord, launch: LaunchContext, registration: RegistrationInfo
) -> dict[str, Any]:
    """The launched user, roles, course and resource link, as the launch told them."""
    return {
        "user": {
            "id": record.user_id,
            "sub": launch.sub,
            "name": launch.name,
            "email": launch.email,
        },
        "access": record.access,
        "roles": list(record.roles),
        "context_roles": launch.context_role_names,
        "platform": {
            "name": registration.name,
            "issuer": registration.issuer,
            "client_id": registration.client_id,
            "product": registration.product,
        },
        "deployment_id": launch.deployment_id,
        "context": None
        if record.context_id is None
        else {
            "id": record.context_id,
            "context_id": launch.context_id,
            "title": launch.context_title,
            "label": launch.context_label,
        },
        "resource_link": None
        if record.resource_link_id is None
        else {
            "id": record.resource_link_id,
            "resource_link_id": launch.resource_link_id,
            "title": launch.resource_link_title,
            "module_slug": launch.custom.get("module"),
        },
    }
