"""A service host that is not the test LMS's: it records every request it gets (with its
Authorization header) and answers like AGS line items / scores and an NRPS roster, so tests can
show where the platform's bearer token goes. Serve it on another loopback address (127.0.0.2):
hosts, not ports, are what the tool compares."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request

from tests.support.servers import ServerThread

NRPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"


@dataclass(frozen=True)
class Recorded:
    method: str
    url: str
    authorization: str | None


@dataclass
class RecordingServices:
    host: str = "127.0.0.2"
    requests: list[Recorded] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    redirect_to: str | None = None  # every GET of another URL answers 302 to this one
    next_page: str | None = None  # the first page of a container links here (rel="next")
    server: ServerThread | None = None
    _lineitems: dict[int, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> RecordingServices:
        self.server = ServerThread(self._app(), self.host).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._lineitems.clear()
        self.members, self.redirect_to, self.next_page = [], None, None

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def lineitems_url(self, course: str = "course-101") -> str:
        return f"{self.url}/ags/{course}/lineitems"

    def memberships_url(self, course: str = "course-101") -> str:
        return f"{self.url}/nrps/{course}/memberships"

    @property
    def bearer_requests(self) -> list[Recorded]:
        """What arrived carrying a bearer token."""
        return [r for r in self.requests if (r.authorization or "").startswith("Bearer ")]

    def _app(self) -> Flask:
        app = Flask("recording-services")

        @app.before_request
        def record() -> Response | None:
            with self._lock:
                self.requests.append(
                    Recorded(request.method, request.url, request.headers.get("Authorization"))
                )
            if request.method == "GET" and self.redirect_to not in (None, request.url):
                return Response("", status=302, headers={"Location": self.redirect_to})
            return None

        @app.get("/ags/<course>/lineitems")
        def lineitems(course: str) -> Response:
            items = [e for e in self._lineitems.values() if e["course"] == course]
            return self._page([e["item"] for e in items], CONTAINER_TYPE)

        @app.post("/ags/<course>/lineitems")
        def create(course: str) -> Response:
            body = json.loads(request.get_data() or b"{}")
            with self._lock:
                n = len(self._lineitems) + 1
                item = {**body, "id": f"{self.url}/ags/{course}/lineitems/{n}"}
                self._lineitems[n] = {"course": course, "item": item}
            return Response(json.dumps(item), status=201, mimetype=LINEITEM_TYPE)

        @app.post("/ags/<course>/lineitems/<int:n>/scores")
        def scores(course: str, n: int) -> Response:
            return Response("", status=200 if n in self._lineitems else 404)

        @app.get("/nrps/<course>/memberships")
        def memberships(course: str) -> Response:
            return self._page({"id": request.base_url, "members": self.members}, NRPS_TYPE)

        return app

    def _page(self, body: Any, mimetype: str) -> Response:
        response = Response(json.dumps(body), mimetype=mimetype)
        if self.next_page and "page" not in request.args:
            response.headers["Link"] = f'<{self.next_page}>; rel="next"'
        return response
