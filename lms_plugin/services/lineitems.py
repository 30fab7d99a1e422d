"""Which line item a module's scores go to (LTI AGS 2.0 §3.2): the one the launch named, else
one found or made by resourceId, remembered for an hour by every worker through the store."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.models import ResourceLink
from lms_plugin.domain.errors import LmsError
from lms_plugin.domain.service_urls import REASONS
from lms_plugin.domain.submission_review import submission_review
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.ags import LINEITEM_SCOPE, Score
from lms_plugin.lti.service_client import HOST_NOT_ALLOWED
from lms_plugin.services.content import current_content

TAG = "isp-module-grade"
REMEMBER_SECONDS = 3600


class AgsPort(Protocol):
    def post_score(self, lineitem_url: str, score: Score) -> None: ...
    def find_lineitem(
        self, lineitems_url: str, *, resource_id: str, resource_link_id: str | None
    ) -> str | None: ...
    def create_lineitem(
        self,
        lineitems_url: str,
        *,
        label: str,
        score_maximum: float,
        resource_id: str,
        tag: str,
        resource_link_id: str | None,
        submission_review: dict[str, Any] | None = None,
    ) -> str: ...


class NotGradableError(LmsError):
    """No line item can be found or made for this score (no AGS in the course, no scope)."""

    code = "not_gradable"

    def __init__(self, classification: str, message: str) -> None:
        super().__init__(message)
        self.classification = classification


class KnownLineItems:
    """Line item URLs already looked up, per course and module: here for one drain, and in the
    store for REMEMBER_SECONDS for every worker; forgotten when the LMS refuses one."""

    def __init__(self, store: KeyValueStore | None = None) -> None:
        self._known: dict[str, str] = {}
        self._store = store

    def get(self, context_id: int, module_slug: str) -> str | None:
        key = f"lineitem:{context_id}:{module_slug}"
        if key not in self._known and self._store is not None:
            url = self._store.get(key)
            if url is not None:
                self._known[key] = url
        return self._known.get(key)

    def remember(self, context_id: int, module_slug: str, url: str) -> None:
        key = f"lineitem:{context_id}:{module_slug}"
        if self._known.get(key) != url:
            self._known[key] = url
            if self._store is not None:
                self._store.set(key, url, REMEMBER_SECONDS)

    def forget(self, context_id: int, module_slug: str) -> None:
        key = f"lineitem:{context_id}:{module_slug}"
        self._known.pop(key, None)
        if self._store is not None:
            self._store.delete(key)


def find_or_make(session: Session, ags: AgsPort, context_id: int, module_slug: str) -> str:
    """The module's line item: from its link's AGS claim, else found or made by resourceId."""
    links = list(session.scalars(select(ResourceLink).filter_by(context_id=context_id)))
    own = [link for link in links if link.module_slug == module_slug]
    for link in own:
        if link.ags_lineitem_url:
            return link.ags_lineitem_url
    service = next((link for link in own + links if link.ags_lineitems_url), None)
    if service is None or service.ags_lineitems_url is None:
        refused = _refused(own + links)
        if refused is not None:
            raise NotGradableError(
                HOST_NOT_ALLOWED,
                f"The LMS offered its gradebook service at {refused['url']}, which "
                f"{REASONS[refused['reason']]}, so the tool sends it neither the LMS's token "
                "nor any grade (the notice above this table says what an admin can do).",
            )
        raise NotGradableError(
            "not_gradable",
            "No link in this course offers the gradebook "
            "service (AGS); add the activity with grading enabled.",
        )
    if LINEITEM_SCOPE not in service.ags_scopes:
        raise NotGradableError(
            "scope_missing",
            "The LMS did not grant the line item scope, "
            "so a gradebook column cannot be created for this module.",
        )
    link_id = service.resource_link_id if service.module_slug == module_slug else None
    found = ags.find_lineitem(
        service.ags_lineitems_url, resource_id=module_slug, resource_link_id=link_id
    )
    if found is None:
        _, module = current_content(session).find(module_slug)
        found = ags.create_lineitem(
            service.ags_lineitems_url,
            label=module.title,
            score_maximum=100.0,
            resource_id=module_slug,
            tag=TAG,
            resource_link_id=link_id,
            submission_review=submission_review(module_slug),  # the gradebook links back
        )
    if service.module_slug == module_slug:
        service.ags_lineitem_url = found
    return found


def _refused(links: list[ResourceLink]) -> dict[str, str] | None:
    """A refused AGS URL of these links (the module's own first), if any."""
    refusals = (entry for link in links for entry in (link.service_refusals or {}).values())
    return next(refusals, None)
