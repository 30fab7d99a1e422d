"""The practice LMS's gradebook: line items and the scores tools post (LTI AGS 2.0 §3.2, §3.4).

Kept in the practice LMS's memory (one process), like the rest of the practice course it is
made afresh at each start. A lock guards it: the practice LMS serves requests on threads.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeGuard

from lms_plugin.domain.errors import LmsError

ACTIVITY = frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"})
GRADING = frozenset({"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"})


@dataclass(frozen=True)
class LineItem:
    """A gradebook column (AGS §3.2.4); its ``id`` is its URL."""

    number: int
    context_id: str
    label: str
    score_maximum: float
    resource_id: str | None = None
    tag: str | None = None
    resource_link_id: str | None = None

    def to_json(self, url: str) -> dict[str, Any]:
        body: dict[str, Any] = {"id": url, "label": self.label, "scoreMaximum": self.score_maximum}
        for key, value in (
            ("resourceId", self.resource_id),
            ("tag", self.tag),
            ("resourceLinkId", self.resource_link_id),
        ):
            if value is not None:
                body[key] = value
        return body


@dataclass(frozen=True)
class Score:
    """The latest score of one user on one line item, as received (AGS §3.4.1)."""

    user_id: str
    score_given: float | None
    score_maximum: float | None
    activity_progress: str
    grading_progress: str
    comment: str | None
    timestamp: datetime
    received: int  # how many scores this user has had on this line item


class ScoreRefused(LmsError):
    """A score the gradebook does not take; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Gradebook:
    """The course's columns by number, and each learner's latest score in each."""

    items: dict[int, LineItem] = field(default_factory=dict)
    scores: dict[tuple[int, str], Score] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, context_id: str, body: dict[str, Any], link_id: str | None = None) -> LineItem:
        """A new column from a line item body (AGS §3.2.6); ValueError says what is wrong."""
        label, maximum = body.get("label"), body.get("scoreMaximum")
        if not isinstance(label, str) or not label.strip():
            raise ValueError("label is required")
        if not _number(maximum) or maximum <= 0:
            raise ValueError("scoreMaximum must be a number greater than 0")
        resource_id, tag = body.get("resourceId"), body.get("tag")
        link = body.get("resourceLinkId", link_id)
        if any(v is not None and not isinstance(v, str) for v in (resource_id, tag, link)):
            raise ValueError("resourceId, tag and resourceLinkId must be strings")
        with self._lock:
            number = max(self.items, default=0) + 1
            item = LineItem(number, context_id, label, float(maximum), resource_id, tag, link)
            self.items[number] = item
        return item

    def find(self, context_id: str, **filters: str | None) -> list[LineItem]:
        """The course's columns, filtered by resource_link_id, resource_id, tag (§3.2.5)."""
        with self._lock:
            items = [i for i in self.items.values() if i.context_id == context_id]
        return [
            i for i in items if all(v is None or getattr(i, k) == v for k, v in filters.items())
        ]

    def item(self, context_id: str, number: int) -> LineItem | None:
        item = self.items.get(number)
        return item if item is not None and item.context_id == context_id else None

    def record(self, item: LineItem, body: dict[str, Any], members: set[str]) -> Score:
        """Keep a score (AGS §3.4.1); a refusal raises ScoreRefused with its status."""
        problem = score_problem(body)
        if problem:
            raise ScoreRefused(400, problem)
        if body["userId"] not in members:
            raise ScoreRefused(422, "userId is not a member of this course")
        stamp = datetime.fromisoformat(body["timestamp"])
        key = (item.number, body["userId"])
        with self._lock:
            last = self.scores.get(key)
            if last is not None and stamp <= last.timestamp:
                # AGS §3.4.1: each score's timestamp is later than the last one's.
                raise ScoreRefused(409, "timestamp is not later than the last score's")
            self.scores[key] = score = Score(
                user_id=body["userId"],
                score_given=body.get("scoreGiven"),
                score_maximum=body.get("scoreMaximum"),
                activity_progress=body["activityProgress"],
                grading_progress=body["gradingProgress"],
                comment=body.get("comment"),
                timestamp=stamp,
                received=(last.received if last else 0) + 1,
            )
        return score


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def score_problem(body: dict[str, Any]) -> str | None:
    """What makes a score body invalid under AGS §3.4.1, or None."""
    if not isinstance(body.get("userId"), str) or not body["userId"]:
        return "userId is required"
    if body.get("activityProgress") not in ACTIVITY:
        return f"activityProgress must be one of {', '.join(sorted(ACTIVITY))}"
    if body.get("gradingProgress") not in GRADING:
        return f"gradingProgress must be one of {', '.join(sorted(GRADING))}"
    if "comment" in body and not isinstance(body["comment"], str):
        return "comment must be a string"
    stamp = body.get("timestamp")
    try:
        parsed = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        return "timestamp must be an ISO 8601 date-time with a time zone"
    given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
    if given is not None:
        if not _number(given) or given < 0:
            return "scoreGiven must be a number of at least 0"
        if not _number(maximum) or maximum <= 0:
            return "scoreMaximum must be a number greater than 0 when scoreGiven is given"
    return None
