"""Names and Role Provisioning Services 2.0 client: the course roster (NRPS 2.0 §2-3)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lms_plugin.domain.launch import ID_MAX, TEXT_MAX
from lms_plugin.lti.service_client import AgsError, ServiceClient, json_body

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIP_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 200


@dataclass(frozen=True)
class Member:
    """One member (NRPS §2.2); name and email only when the platform shares them."""

    user_id: str
    roles: tuple[str, ...]
    status: str  # Active | Inactive | Deleted
    name: str | None = None
    email: str | None = None
    # Their LTI 1.1 user_id when it differs (Canvas's ``lti11_legacy_user_id``, as the launch's
    # migration claims carry it): the roster then finds the row a 1.1 launch made for them.
    lti1p1_user_id: str | None = None


class NrpsClient(ServiceClient):
    def members(self, memberships_url: str) -> Iterator[Member]:
        """Every member, following ``Link: rel="next"`` pages (NRPS §2.4)."""
        url: str | None = memberships_url
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self._send(
                "GET", url, (NRPS_SCOPE,), headers={"Accept": MEMBERSHIP_MEDIA_TYPE}
            )
            body = json_body(response)
            if not isinstance(body, dict) or not isinstance(body.get("members"), list):
                raise AgsError("bad_request", "the membership container has no members list")
            for raw in body["members"]:
                member = _member(raw)
                if member is not None:
                    yield member
            url = response.links.get("next", {}).get("url")


def _member(raw: Any) -> Member | None:
    """One entry of the container, shaped as the launch claims are (the same limits); an entry
    without a usable user_id names nobody and is skipped."""
    if not isinstance(raw, dict):
        return None
    user_id, name, email = raw.get("user_id"), raw.get("name"), raw.get("email")
    if not isinstance(user_id, str) or not 0 < len(user_id) <= ID_MAX:
        return None
    legacy = raw.get("lti11_legacy_user_id")
    if not isinstance(legacy, str) or not 0 < len(legacy) <= ID_MAX or legacy == user_id:
        legacy = None
    return Member(
        user_id=user_id,
        roles=tuple(str(r) for r in raw.get("roles") or ()),
        status=str(raw.get("status") or "Active"),
        name=name[:TEXT_MAX] if isinstance(name, str) and name else None,
        email=email if isinstance(email, str) and 0 < len(email) <= TEXT_MAX else None,
        lti1p1_user_id=legacy,
    )
