"""The practice course's activities (resource links): the whole certificate, placed when the
LMS starts, and the modules an instructor adds through Deep Linking, each with its own
gradebook column (as Moodle and Canvas make one for a graded activity)."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from lms_plugin.demo import course

DEEP_LINK_SECONDS = 600  # how long an "add activities" request may take to come back


@dataclass(frozen=True)
class Activity:
    link_id: str  # the resource link id the launches carry
    title: str
    lineitem: int  # its gradebook column
    module: str | None = None  # custom module=<slug>; None: the whole certificate


@dataclass
class Activities:
    """The course's activities, and the deep linking requests waiting for their answer."""

    items: list[Activity] = field(default_factory=list)
    _requests: dict[str, float] = field(default_factory=dict)  # deep linking data -> expiry
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def all(self) -> list[Activity]:
        with self._lock:
            return list(self.items)

    def find(self, link_id: str) -> Activity | None:
        return next((a for a in self.all() if a.link_id == link_id), None)

    def add(self, activity: Activity) -> Activity:
        with self._lock:
            self.items.append(activity)
        return activity

    def expect_answer(self) -> str:
        """The ``data`` of a deep linking request (DL 2.0 §4.4.1): its answer must echo it."""
        data = secrets.token_urlsafe(16)
        with self._lock:
            now = time.time()
            self._requests = {d: t for d, t in self._requests.items() if t > now}
            self._requests[data] = now + DEEP_LINK_SECONDS
        return data

    def take_answer(self, data: object) -> bool:
        """Whether ``data`` is a request still waiting for its answer (each is answered once)."""
        with self._lock:
            expires = self._requests.pop(data, 0.0) if isinstance(data, str) else 0.0
        return expires > time.time()


def new_link_id() -> str:
    return "activity-" + secrets.token_hex(4)


def certificate(lineitem: int) -> Activity:
    """The course's first activity: the whole certificate, as a teacher adds the tool once."""
    return Activity(course.LINK_ID, course.LINK_TITLE, lineitem)
