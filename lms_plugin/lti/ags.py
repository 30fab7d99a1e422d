"""Assignment and Grade Services 2.0 client: line items and score publishing (LTI AGS 2.0 §3).

Every call carries a bearer token from the client-credentials grant (Security Framework §4.1);
a 401 refreshes the token once. Failures raise :class:`AgsError`, classified so the caller can
tell a retry-later (429, 5xx, network) from a refusal that people must look at.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lms_plugin.domain.launch import URL_MAX
from lms_plugin.lti.service_client import AgsError, ServiceClient, classify, json_body

__all__ = ["AgsClient", "AgsError", "Score", "classify", "scores_url"]

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_READONLY_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"

ACTIVITY_PROGRESS = frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"})
GRADING_PROGRESS = frozenset({"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"})
MAX_PAGES = 50  # a line item container is paged with Link: rel="next" (AGS §3.2.5)


def scores_url(lineitem_url: str) -> str:
    """The score publish endpoint: ``/scores`` appended to the line item's path (AGS §3.4)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def with_query(url: str, **params: str | None) -> str:
    """``url`` with query parameters set, keeping the ones it already carries (Moodle type_id)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True)
class Score:
    """One score publication for a user on a line item (AGS §3.4.1). ``score_given`` None
    leaves ``scoreGiven`` out (AGS §3.4.2: optional), as for a score waiting for a person."""

    user_id: str
    score_given: float | None
    score_maximum: float
    timestamp: datetime
    comment: str | None = None
    activity_progress: str = "Completed"
    grading_progress: str = "FullyGraded"
    # Platform extension members (domain.score_extensions), e.g. Canvas's lti/submission.
    extensions: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None or self.timestamp.utcoffset() is None:
            raise ValueError("Score.timestamp must be timezone-aware")
        given = self.score_given
        if given is not None and not (math.isfinite(given) and given >= 0):
            raise ValueError("scoreGiven must be a finite number >= 0")
        if not (math.isfinite(self.score_maximum) and self.score_maximum > 0):
            raise ValueError("scoreMaximum must be a finite number > 0")
        if self.activity_progress not in ACTIVITY_PROGRESS:
            raise ValueError(f"unknown activityProgress {self.activity_progress!r}")
        if self.grading_progress not in GRADING_PROGRESS:
            raise ValueError(f"unknown gradingProgress {self.grading_progress!r}")

    def to_json(self) -> dict[str, Any]:
        """The score body; timestamp ISO 8601 with microseconds and +00:00 (AGS §3.4.1)."""
        body: dict[str, Any] = {
            "userId": self.user_id,
            **({} if self.score_given is None else {"scoreGiven": self.score_given}),
            "scoreMaximum": self.score_maximum,
            "timestamp": self.timestamp.astimezone(UTC).isoformat(timespec="microseconds"),
            "activityProgress": self.activity_progress,
            "gradingProgress": self.grading_progress,
        }
        if self.comment is not None:
            body["comment"] = self.comment
        return {**(self.extensions or {}), **body}  # an extension never hides an AGS field


class AgsClient(ServiceClient):
    """Line item and score calls for one registration (LTI AGS 2.0)."""

    def post_score(self, lineitem_url: str, score: Score) -> None:
        """POST the score to ``<line item>/scores`` (AGS §3.4)."""
        self._send(
            "POST",
            scores_url(lineitem_url),
            (SCORE_SCOPE,),
            headers={"Content-Type": SCORE_MEDIA_TYPE},
            json=score.to_json(),
        )

    def find_lineitem(
        self,
        lineitems_url: str,
        *,
        resource_id: str,
        resource_link_id: str | None,
        read_only: bool = False,
    ) -> str | None:
        """The ``id`` of the line item with this resourceId (and link), else None (AGS §3.2.5)."""
        url = with_query(lineitems_url, resource_id=resource_id, resource_link_id=resource_link_id)
        scope = LINEITEM_READONLY_SCOPE if read_only else LINEITEM_SCOPE
        for item in self._pages(url, scope):
            if item.get("resourceId") != resource_id or not _is_lineitem_id(item.get("id")):
                continue  # platforms may ignore the filters: check them ourselves
            if resource_link_id is None or item.get("resourceLinkId") == resource_link_id:
                return str(item["id"])
        return None

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
    ) -> str:
        """POST a new line item and return its ``id`` URL (AGS §3.2.6); ``submission_review``
        is its ``submissionReview`` (Submission Review Service 1.0)."""
        body: dict[str, Any] = {
            "label": label,
            "scoreMaximum": score_maximum,
            "resourceId": resource_id,
            "tag": tag,
        }
        if resource_link_id is not None:
            body["resourceLinkId"] = resource_link_id
        if submission_review is not None:
            body["submissionReview"] = submission_review
        response = self._send(
            "POST",
            lineitems_url,
            (LINEITEM_SCOPE,),
            headers={"Content-Type": LINEITEM_MEDIA_TYPE, "Accept": LINEITEM_MEDIA_TYPE},
            json=body,
        )
        created = json_body(response)
        if not isinstance(created, dict) or not _is_lineitem_id(created.get("id")):
            raise AgsError("bad_request", "line item created without a usable id", lms_status=200)
        return str(created["id"])

    def _pages(self, url: str, scope: str) -> Iterator[dict[str, Any]]:
        next_url: str | None = url
        for _ in range(MAX_PAGES):
            if next_url is None:
                return
            response = self._send(
                "GET", next_url, (scope,), headers={"Accept": CONTAINER_MEDIA_TYPE}
            )
            items = json_body(response)
            if not isinstance(items, list):
                raise AgsError("bad_request", "line item container is not a JSON array")
            yield from (item for item in items if isinstance(item, dict))
            next_url = response.links.get("next", {}).get("url")


def _is_lineitem_id(value: Any) -> bool:
    """A line item's ``id`` is its URL (AGS §3.2.4): one the tool can keep and call."""
    return (
        isinstance(value, str)
        and value.startswith(("https://", "http://"))
        and len(value) <= URL_MAX
    )
