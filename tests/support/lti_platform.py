"""A test LTI 1.3 platform: real RSA keys, real RS256 id_tokens, JWKS and OIDC auth over HTTP.

It plays the LMS in the suite. Its HTTP side (``/jwks``, ``/auth``, ``/token``, the AGS
line item / score endpoints under ``/ags/<context_id>/lineitems`` and the deep linking return
``/dl/return``) runs on 127.0.0.1 in a thread; tests also use :meth:`id_token` directly to
forge bad launches. Links placed in a course (:meth:`place_link`, or by a deep linking
response) get their own line item, which their launches carry, as Moodle and Canvas do; the
gradebook keeps what each score makes it show (:meth:`cell`).
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask import Flask, Response, abort, jsonify, request

from tests.support import lti_platform_pages as pages
from tests.support import lti_platform_registration as registration
from tests.support.servers import ServerThread

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
ADMIN = LIS + "institution/person#Administrator"

AGS = "https://purl.imsglobal.org/spec/lti-ags/"
SCORE_SCOPE = AGS + "scope/score"
LINEITEM_SCOPE = AGS + "scope/lineitem"
READONLY_SCOPE = AGS + "scope/lineitem.readonly"
AGS_SCOPES = frozenset({SCORE_SCOPE, LINEITEM_SCOPE, READONLY_SCOPE})
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACTIVITY = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}
SUBSECOND = re.compile(r"T\d{2}:\d{2}:\d{2}\.\d+")
DL_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


@dataclass
class PlatformUser:
    sub: str
    name: str
    email: str
    roles: list[str]


@dataclass
class SigningKey:
    kid: str
    private: Any

    @classmethod
    def rsa(cls) -> SigningKey:
        return cls("rsa-" + uuid.uuid4().hex[:8], rsa.generate_private_key(65537, 2048))

    def jwk(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


@dataclass
class Placement:
    """A link placed in a course: its custom parameters and, when graded, its own line item."""

    context_id: str
    link_id: str
    title: str
    custom: dict[str, str]
    lineitem: str | None


@dataclass
class LmsPlatform:
    """One LMS: issuer, a client id for the tool, users, keys, and switches for faults."""

    issuer: str = "https://lms.example.edu"
    client_id: str = field(default_factory=lambda: "client-" + uuid.uuid4().hex[:6])
    deployment_id: str = "deployment-1"
    tool_url: str = ""
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey.rsa()])
    users: dict[str, PlatformUser] = field(default_factory=dict)
    jwks_status: int = 200
    jwks_hits: int = 0
    extra_jwks: list[dict[str, Any]] = field(default_factory=list)
    server: ServerThread | None = None
    host: str = "127.0.0.1"  # another loopback address makes the tool's iframe cross-site
    # --- LTI platform storage (Client Side postMessages): /course frames the tool ----------
    storage_answers: bool = True  # False: the storage frame has lost what the tool put there
    storage_silent: bool = False  # True: the storage frame never answers at all
    storage_prefix: str = "lti."  # "org.imsglobal.lti.": the storage frame speaks the draft
    # --- LTI Dynamic Registration: the platform's side -------------------------------------
    registration_token: str = field(default_factory=lambda: "regtoken-" + uuid.uuid4().hex[:8])
    registration_status: int = 200  # another status: the registration endpoint refuses
    registrations: list[dict[str, Any]] = field(default_factory=list)  # what tools posted
    product_family_code: str = "moodle"
    # --- services (Security Framework §4.1 token endpoint, AGS 2.0) -----------------------
    token_lifetime: int = 3600
    token_requests: int = 0
    token_audience: str | None = None  # the client assertion's aud when not the token URL (D2L)
    allowed_scopes: set[str] = field(default_factory=lambda: set(AGS_SCOPES) | {NRPS_SCOPE})
    roster_extra: list[dict[str, Any]] = field(default_factory=list)  # e.g. Inactive members
    moodle_style_urls: bool = False  # ids like .../lineitems/<n>/lineitem?type_id=<type id>
    moodle_type_id: int = 3
    page_size: int | None = None  # page GET lineitems with Link: rel="next"
    honour_filters: bool = True  # False: ignore resource_id/resource_link_id/tag, as some LMSs do
    lineitem_id_override: str | None = None  # a broken LMS: new line items get this "id"
    # How a score not later than the last one is refused: "moodle" (409 when not later in
    # whole seconds), "canvas" (400 when earlier, to the microsecond).
    score_timestamps: str = "moodle"
    lineitems: dict[int, dict[str, Any]] = field(default_factory=dict)
    placements: dict[tuple[str, str], Placement] = field(default_factory=dict)
    scores: list[dict[str, Any]] = field(default_factory=list)
    refused_scores: list[dict[str, Any]] = field(default_factory=list)
    _tokens: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict, repr=False)
    _jtis: set[str] = field(default_factory=set, repr=False)
    _faults: dict[str, list[tuple[int, int | None]]] = field(default_factory=dict, repr=False)
    # hold_scores(): score posts wait at the gate (an LMS answering slowly) and say they came.
    _score_gate: threading.Event | None = field(default=None, repr=False)
    score_arrived: threading.Event = field(default_factory=threading.Event, repr=False)
    _last_stamp: dict[tuple[int, str], datetime] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.add_user("learner-1", "Lena Learner", [LEARNER])
        self.add_user("teacher-1", "Theo Teacher", [INSTRUCTOR])

    # --- HTTP side ---------------------------------------------------------------------
    def start(self) -> LmsPlatform:
        self.server = ServerThread(self._app(), self.host).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def jwks_url(self) -> str:
        return self.url + "/jwks"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    def lineitems_url(self, context_id: str = "course-101") -> str:
        """The AGS line items service of a course (with ``?type_id=`` when Moodle-style)."""
        base = f"{self.url if self.server else ''}/ags/{context_id}/lineitems"
        return base + (f"?type_id={self.moodle_type_id}" if self.moodle_style_urls else "")

    def registration_args(self) -> dict[str, Any]:
        return {
            "name": "Test LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token",
            "jwks_url": self.jwks_url,
            "product": "moodle",
            "deployment_ids": (self.deployment_id,),
        }

    def _app(self) -> Flask:
        app = Flask("test-platform")

        @app.get("/jwks")
        def jwks() -> Response:
            self.jwks_hits += 1
            if self.jwks_status != 200:
                abort(self.jwks_status)
            return jsonify({"keys": [k.jwk() for k in self.keys] + self.extra_jwks})

        @app.get("/auth")
        def auth() -> str:
            return self._authorize(request.args.to_dict())

        @app.get("/.well-known/openid-configuration")
        def openid_configuration() -> Response:  # behind the registration token, as Canvas
            if request.headers.get("Authorization") != "Bearer " + self.registration_token:
                return _oauth_error(401, "invalid_token", "registration token required")
            return jsonify(registration.openid_configuration(self))

        @app.post("/register")
        def register() -> Response:
            if request.headers.get("Authorization") != "Bearer " + self.registration_token:
                return _oauth_error(401, "invalid_token", "registration token required")
            if self.registration_status != 200:
                return _oauth_error(self.registration_status, "server_error", "try again later")
            answer = registration.register_tool(self, request.get_json(silent=True) or {})
            if answer is None:
                return _oauth_error(400, "invalid_client_metadata", "missing or wrong fields")
            return jsonify(answer)

        @app.get("/tool-registration")
        def tool_registration() -> str:
            return pages.registration_dialog(request.args["url"])

        @app.get("/course")
        def course() -> str:
            return pages.course_page(request.args["login"])

        @app.get("/storage-frame")
        def storage_frame() -> str:
            return pages.storage_frame(
                answers=self.storage_answers,
                silent=self.storage_silent,
                prefix=self.storage_prefix,
            )

        @app.post("/token")
        def token() -> Response:
            return self._token_endpoint()

        @app.route("/ags/<context_id>/lineitems", methods=["GET", "POST"])
        def lineitems(context_id: str) -> Response:
            return self._lineitems(context_id)

        @app.get("/nrps/<context_id>/memberships")
        def memberships(context_id: str) -> Response:
            return self._memberships(context_id)

        @app.post("/ags/<context_id>/lineitems/<int:n>/scores")
        def scores(context_id: str, n: int) -> Response:
            return self._score(context_id, n, moodle=False)

        @app.post("/ags/<context_id>/lineitems/<int:n>/lineitem/scores")
        def moodle_scores(context_id: str, n: int) -> Response:
            return self._score(context_id, n, moodle=True)

        @app.post("/dl/return")
        def deep_link_return() -> Response:
            return self._deep_link_return(request.form.get("JWT", ""))

        return app

    def _authorize(self, params: dict[str, str]) -> str:
        """OIDC authentication response (LTI 1.3 Core §4.1.2): an auto-posting id_token form."""
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self.client_id,
        }
        for name, value in expected.items():
            if params.get(name) != value:
                abort(400, f"bad {name}")
        if params.get("redirect_uri") != self.tool_url + "/lti/launch":
            abort(400, "redirect_uri not registered")
        user = self.users.get(params.get("login_hint", ""))
        if user is None:
            abort(400, "unknown login_hint")
        hint = json.loads(params.get("lti_message_hint") or "{}")
        token = self.id_token(self.claims(nonce=params["nonce"], user=user, **hint))
        fields = {"id_token": token, "state": params["state"]}
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        action = html.escape(params["redirect_uri"])
        # Like a real LMS: the browser posts the id_token to the tool at once.
        return (
            f'<form method="post" action="{action}">{inputs}</form>'
            "<script>document.forms[0].submit()</script>"
        )

    # --- service switches ---------------------------------------------------------------
    def fail_next(
        self, status: int, count: int = 1, retry_after: int | None = None, *, target: str = "ags"
    ) -> None:
        """The next ``count`` AGS requests (or ``target="token"`` requests) answer ``status``."""
        with self._lock:
            self._faults.setdefault(target, []).extend([(status, retry_after)] * count)

    def hold_scores(self) -> threading.Event:
        """Score posts wait (up to 30 s) until the returned event is set; ``score_arrived`` says
        one is waiting: a task of the tool's stays in flight for as long as the test needs."""
        gate = threading.Event()
        with self._lock:
            self._score_gate = gate
            self.score_arrived.clear()
        return gate

    def expire_tokens(self) -> None:
        """Forget every access token issued: the next AGS call answers 401."""
        with self._lock:
            self._tokens.clear()

    def reset_ags(self) -> None:
        """Back to a fresh platform: no tokens, line items, scores, faults; default switches."""
        with self._lock:
            self._tokens.clear()
            self._jtis.clear()
            self._faults.clear()
            if self._score_gate is not None:
                self._score_gate.set()
            self._score_gate = None
            self._last_stamp.clear()
            self.lineitems.clear()
            self.placements.clear()
            self.scores.clear()
            self.refused_scores.clear()
            self.score_timestamps = "moodle"
            self.token_requests = 0
            self.token_lifetime = 3600
            self.token_audience = None
            self.allowed_scopes = set(AGS_SCOPES) | {NRPS_SCOPE}
            self.roster_extra = []
            self.moodle_style_urls = False
            self.page_size = None
            self.honour_filters = True

    def _fault(self, target: str) -> Response | None:
        with self._lock:
            queue = self._faults.get(target)
            if not queue:
                return None
            status, retry_after = queue.pop(0)
        response = jsonify({"error": "injected", "status": status})
        response.status_code = status
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    # --- token endpoint (Security Framework §4.1; RFC 6749 §4.4, RFC 7523) -----------------
    def _token_endpoint(self) -> Response:
        with self._lock:
            self.token_requests += 1
        fault = self._fault("token")
        if fault is not None:
            return fault
        form = request.form
        if not form.get("grant_type") or not form.get("client_assertion"):
            return _oauth_error(400, "invalid_request", "grant_type and client_assertion required")
        if form["grant_type"] != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", form["grant_type"])
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return _oauth_error(401, "invalid_client", "client_assertion_type must be jwt-bearer")
        problem = self._check_assertion(form["client_assertion"])
        if problem:
            return _oauth_error(401, "invalid_client", problem)
        requested = set(form.get("scope", "").split())
        granted = requested & self.allowed_scopes
        if not granted:
            return _oauth_error(400, "invalid_scope", f"none of {sorted(requested)} allowed")
        access_token = uuid.uuid4().hex
        with self._lock:
            self._tokens[access_token] = (time.time() + self.token_lifetime, frozenset(granted))
        response = jsonify(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "scope": " ".join(sorted(granted)),
            }
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    def _tool_jwt(self, token: str, audience: str, require: list[str]) -> dict[str, Any]:
        """The claims of a JWT the tool signed, verified with the tool's JWKS over HTTP."""
        kid = jwt.get_unverified_header(token).get("kid")
        keyset = requests.get(self.tool_url + "/lti/jwks", timeout=5).json()
        jwk = next((k for k in keyset["keys"] if k.get("kid") == kid), None)
        if jwk is None:
            raise ValueError(f"kid {kid!r} not in the tool's JWKS")
        return jwt.decode(
            token,
            jwt.PyJWK(jwk, algorithm="RS256").key,
            algorithms=["RS256"],
            audience=audience,
            issuer=self.client_id,
            leeway=5,
            options={"require": require},
        )

    def _check_assertion(self, assertion: str) -> str | None:
        """Verify the tool's client assertion; None when valid."""
        try:
            claims = self._tool_jwt(
                assertion,
                self.token_audience or self.token_url,
                ["iss", "sub", "aud", "iat", "exp", "jti"],
            )
        except (jwt.PyJWTError, requests.RequestException, ValueError, KeyError) as exc:
            return f"bad client_assertion: {exc}"
        if claims["sub"] != self.client_id:
            return "sub must be the client_id"
        if claims["exp"] - claims["iat"] > 300:
            return "client_assertion lives longer than 5 minutes"
        with self._lock:
            if claims["jti"] in self._jtis:
                return "jti already used"
            self._jtis.add(claims["jti"])
        return None

    # --- AGS (LTI AGS 2.0 §3.2 line items, §3.4 scores) ----------------------------------
    def _authorize_service(self, *scopes: str) -> Response | None:
        """Fault, then bearer token (401), then scope (403); None when the call may go on."""
        fault = self._fault("ags")
        if fault is not None:
            return fault
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self._lock:
            expires_at, granted = self._tokens.get(token, (0.0, frozenset()))
        if expires_at <= time.time():
            response = _oauth_error(401, "invalid_token", "unknown or expired access token")
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        if not granted & set(scopes):
            return _oauth_error(403, "insufficient_scope", f"needs one of {sorted(scopes)}")
        if self.moodle_style_urls and request.args.get("type_id") != str(self.moodle_type_id):
            return _oauth_error(400, "invalid_request", "type_id missing from the query")
        return None

    def _memberships(self, context_id: str) -> Response:
        """NRPS 2.0 §2: the course's members, paged with Link: rel="next"."""
        refused = self._authorize_service(NRPS_SCOPE)
        if refused is not None:
            return refused
        members = [
            {
                "user_id": u.sub,
                "roles": u.roles,
                "status": "Active",
                "name": u.name,
                "email": u.email,
            }
            for u in self.users.values()
        ] + self.roster_extra
        page = int(request.args.get("page", "0"))
        size = self.page_size or len(members) or 1
        body = {
            "id": request.base_url,
            "context": {"id": context_id},
            "members": members[page * size : (page + 1) * size],
        }
        response = Response(json.dumps(body))
        response.mimetype = NRPS_TYPE
        if (page + 1) * size < len(members):
            response.headers["Link"] = f'<{request.base_url}?page={page + 1}>; rel="next"'
        return response

    def _lineitem_id(self, context_id: str, n: int) -> str:
        base = f"{self.url}/ags/{context_id}/lineitems/{n}"
        if self.moodle_style_urls:
            return f"{base}/lineitem?type_id={self.moodle_type_id}"
        return base

    def _lineitems(self, context_id: str) -> Response:
        if request.method == "POST":
            return self._create_lineitem(context_id)
        refused = self._authorize_service(LINEITEM_SCOPE, READONLY_SCOPE)
        if refused is not None:
            return refused
        if CONTAINER_TYPE not in [value for value, _ in request.accept_mimetypes]:
            return _oauth_error(406, "not_acceptable", "Accept must name " + CONTAINER_TYPE)
        filters = {
            "resourceId": request.args.get("resource_id"),
            "resourceLinkId": request.args.get("resource_link_id"),
            "tag": request.args.get("tag"),
        }
        with self._lock:
            items = [
                entry["item"]
                for entry in self.lineitems.values()
                if entry["context_id"] == context_id
                and (
                    not self.honour_filters
                    or all(v is None or entry["item"].get(k) == v for k, v in filters.items())
                )
            ]
        page = int(request.args.get("page", "0"))
        size = self.page_size or len(items) or 1
        response = Response(json.dumps(items[page * size : (page + 1) * size]))
        response.mimetype = CONTAINER_TYPE
        if (page + 1) * size < len(items):
            args = {**request.args.to_dict(), "page": str(page + 1)}
            response.headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
        return response

    def _create_lineitem(self, context_id: str) -> Response:
        refused = self._authorize_service(LINEITEM_SCOPE)
        if refused is not None:
            return refused
        if request.mimetype != LINEITEM_TYPE:
            return _oauth_error(415, "unsupported_media_type", "Content-Type " + LINEITEM_TYPE)
        body = _json_body()
        label, maximum = body.get("label"), body.get("scoreMaximum")
        if not isinstance(label, str) or not label:
            return _oauth_error(400, "invalid_request", "label required")
        if isinstance(maximum, bool) or not isinstance(maximum, int | float) or maximum <= 0:
            return _oauth_error(400, "invalid_request", "scoreMaximum must be a number > 0")
        allowed = (
            *("label", "scoreMaximum", "resourceId", "tag", "resourceLinkId"),
            "submissionReview",  # LTI Submission Review Service 1.0
        )
        with self._lock:
            n = max(self.lineitems, default=0) + 1
            item = {k: body[k] for k in allowed if k in body}
            item["id"] = self.lineitem_id_override or self._lineitem_id(context_id, n)
            self.lineitems[n] = {
                "context_id": context_id,
                "moodle": self.moodle_style_urls,
                "item": item,
            }
        response = Response(json.dumps(item), status=201)
        response.mimetype = LINEITEM_TYPE
        return response

    def _score(self, context_id: str, n: int, *, moodle: bool) -> Response:
        gate = self._score_gate
        if gate is not None:
            self.score_arrived.set()
            gate.wait(30)
        refused = self._authorize_service(SCORE_SCOPE)
        if refused is not None:
            return refused
        entry = self.lineitems.get(n)
        if entry is None or entry["context_id"] != context_id or entry["moodle"] != moodle:
            return _oauth_error(404, "not_found", "no such line item")
        if request.mimetype != SCORE_TYPE:
            return _oauth_error(415, "unsupported_media_type", "Content-Type " + SCORE_TYPE)
        body = _json_body()
        problem = _score_problem(body)
        if problem:
            return _oauth_error(400, "invalid_request", problem)
        if body["userId"] not in self.users:
            return _oauth_error(422, "unprocessable", "user is not in this course")
        record = {
            "lineitem": entry["item"]["id"],
            "user": body["userId"],
            "body": body,
            "content_type": request.content_type,
        }
        stamp = datetime.fromisoformat(body["timestamp"])
        with self._lock:
            last = self._last_stamp.get((n, body["userId"]))
            refusal = _stale(self.score_timestamps, stamp, last) if last else None
            if refusal is not None:
                self.refused_scores.append(record)
                return refusal
            self._last_stamp[(n, body["userId"])] = stamp
            self.scores.append(record)
        return Response("", status=200)

    # --- placements, deep linking (DL 2.0 §4) and what the gradebook shows ---------------
    def place_link(
        self,
        context_id: str = "course-101",
        link_id: str | None = None,
        *,
        title: str = "ISP Certificate",
        custom: dict[str, str] | None = None,
        graded: bool = True,
        line_item: dict[str, Any] | None = None,
    ) -> Placement:
        """Add a link to a course, as a teacher does; a graded one gets its own line item."""
        link_id = link_id or "placed-" + uuid.uuid4().hex[:8]
        lineitem = None
        if graded:
            fields = {"label": title, "scoreMaximum": 100, **(line_item or {})}
            with self._lock:
                n = max(self.lineitems, default=0) + 1
                item = {**fields, "resourceLinkId": link_id, "id": self._lineitem_id(context_id, n)}
                self.lineitems[n] = {
                    "context_id": context_id,
                    "moodle": self.moodle_style_urls,
                    "item": item,
                }
            lineitem = item["id"]
        placement = Placement(context_id, link_id, title, dict(custom or {}), lineitem)
        self.placements[(context_id, link_id)] = placement
        return placement

    def _deep_link_return(self, token: str) -> Response:
        """Take the tool's LtiDeepLinkingResponse: each ltiResourceLink becomes a placed link,
        with a line item when the item asks for one."""
        try:
            claims = self._tool_jwt(token, self.issuer, ["iss", "aud", "iat", "exp", "nonce"])
        except (jwt.PyJWTError, requests.RequestException, ValueError, KeyError) as exc:
            return _oauth_error(400, "invalid_request", f"bad deep linking response: {exc}")
        placed = [
            self.place_link(
                title=item.get("title") or "Untitled",
                custom=item.get("custom"),
                graded="lineItem" in item,
                line_item={
                    k: v
                    for k, v in (item.get("lineItem") or {}).items()
                    if k in ("label", "scoreMaximum", "resourceId", "tag", "submissionReview")
                },
            )
            for item in claims.get(DL_ITEMS) or []
            if item.get("type") == "ltiResourceLink"
        ]
        return jsonify([p.link_id for p in placed])

    def lineitem_of(self, placement: Placement) -> dict[str, Any]:
        """The line item a placed link got."""
        return next(
            e["item"] for e in self.lineitems.values() if e["item"]["id"] == placement.lineitem
        )

    def cell(self, lineitem: str, user: str = "learner-1") -> dict[str, Any] | None:
        """What the gradebook shows in this column for this user, after the last score it took:
        a score only when the score carries one and is FullyGraded or PendingManual (Canvas;
        Moodle keeps only FullyGraded ones), "needs grading" for a PendingManual one without."""
        taken = [s["body"] for s in self.scores if s["lineitem"] == lineitem and s["user"] == user]
        if not taken:
            return None
        last = taken[-1]
        counted = last["gradingProgress"] in ("FullyGraded", "PendingManual")
        score = last.get("scoreGiven") if counted else None
        return {
            "score": score,
            "needs_grading": score is None and last["gradingProgress"] == "PendingManual",
            "comment": last.get("comment"),
            "activity": last["activityProgress"],
        }

    # --- tokens ------------------------------------------------------------------------
    def add_user(self, sub: str, name: str, roles: list[str]) -> PlatformUser:
        self.users[sub] = PlatformUser(sub, name, f"{sub}@example.edu", roles)
        return self.users[sub]

    def login_params(self, login_hint: str = "learner-1", **extra: str) -> dict[str, str]:
        return {
            "iss": self.issuer,
            "login_hint": login_hint,
            "client_id": self.client_id,
            "target_link_uri": self.tool_url + "/lti/launch",
            "lti_deployment_id": self.deployment_id,
            **extra,
        }

    def claims(
        self,
        *,
        nonce: str,
        user: PlatformUser | None = None,
        context_id: str = "course-101",
        resource_link_id: str = "link-1",
        lineitem: str | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        user = user or self.users["learner-1"]
        placed = self.placements.get((context_id, resource_link_id))
        lineitem = lineitem or (placed.lineitem if placed else None)
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": user.sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": user.name,
            "email": user.email,
            CLAIM + "version": "1.3.0",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": self.tool_url + "/lti/launch",
            CLAIM + "roles": list(user.roles),
            CLAIM + "resource_link": {
                "id": resource_link_id,
                "title": placed.title if placed else "Module 1",
            },
            CLAIM + "context": {
                "id": context_id,
                "label": "ISP-101",
                "title": f"ISP Certificate {context_id}",
            },
            AGS + "claim/endpoint": {
                "scope": sorted(AGS_SCOPES) if placed else [SCORE_SCOPE],
                "lineitems": self.lineitems_url(context_id),
                **({"lineitem": lineitem} if lineitem else {}),
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/nrps/{context_id}/memberships",
                "service_versions": ["2.0"],
            },
        }
        if placed and placed.custom:
            claims[CLAIM + "custom"] = dict(placed.custom)
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def id_token(
        self,
        claims: dict[str, Any],
        *,
        key: SigningKey | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        key = key or self.keys[0]
        return jwt.encode(
            claims, key.private, algorithm="RS256", headers={"kid": key.kid, **(headers or {})}
        )

    def rotate_key(self) -> SigningKey:
        """Publish a new key and sign with it from now on (old key stays published)."""
        self.keys.insert(0, SigningKey.rsa())
        return self.keys[0]

    def add_ec_key(self) -> str:
        key = ec.generate_private_key(ec.SECP256R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
        kid = "ec-" + uuid.uuid4().hex[:6]
        self.extra_jwks.append({**jwk, "kid": kid, "alg": "ES256"})
        return kid


def _oauth_error(status: int, error: str, description: str) -> Response:
    """An RFC 6749 §5.2 style JSON error."""
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


def _json_body() -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        abort(400, "body is not JSON")
    if not isinstance(body, dict):
        abort(400, "body is not a JSON object")
    return body


def _score_problem(body: dict[str, Any]) -> str | None:
    """What makes a score body invalid per AGS §3.4.1, or None."""
    if not isinstance(body.get("userId"), str) or not body["userId"]:
        return "userId required"
    if body.get("activityProgress") not in ACTIVITY:
        return f"bad activityProgress {body.get('activityProgress')!r}"
    if body.get("gradingProgress") not in GRADING:
        return f"bad gradingProgress {body.get('gradingProgress')!r}"
    if "comment" in body and not isinstance(body["comment"], str):
        return "comment must be a string"
    stamp = body.get("timestamp")
    if not isinstance(stamp, str) or not SUBSECOND.search(stamp):
        return "timestamp must be ISO 8601 with sub-second precision"
    try:
        if datetime.fromisoformat(stamp).tzinfo is None:
            return "timestamp needs a timezone"
    except ValueError:
        return f"bad timestamp {stamp!r}"
    given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, int | float) or given < 0:
            return "scoreGiven must be a number >= 0"
        if isinstance(maximum, bool) or not isinstance(maximum, int | float) or maximum <= 0:
            return "scoreMaximum must be a number > 0 when scoreGiven is present"
    return None


def _stale(product: str, stamp: datetime, last: datetime) -> Response | None:
    """The refusal of a score that is not later than the last one taken, or None.

    Moodle (ltiservice_gradebookservices scores.php) compares whole seconds and answers 409
    for an equal or earlier one; Canvas (Lti::IMS::ScoresController) answers 400 for an
    earlier one, to the sub-second."""
    if product == "canvas":
        return (
            _oauth_error(400, "invalid_request", "timestamp before the last")
            if stamp < last
            else None
        )
    if int(stamp.timestamp()) <= int(last.timestamp()):
        return _oauth_error(409, "conflict", "Refusing score with an earlier timestamp")
    return None


def unsigned_token(claims: dict[str, Any], kid: str) -> str:
    """An ``alg: none`` token, built by hand since libraries rightly refuse to make one."""

    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64(claims)}."


def message_hint(**values: str) -> str:
    return json.dumps(values)


def auth_url_params(location: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(location).query))


__all__ = ["ADMIN", "INSTRUCTOR", "LEARNER", "LmsPlatform", "unsigned_token", "urlencode"]
