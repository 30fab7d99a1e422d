"""The practice LMS as a web app: the course page, the launch, and the services tools call.

Run by ``lms-plugin demo`` as its own gunicorn process on 127.0.0.1:
``gunicorn 'lms_plugin.demo.app:create_app("<instance>/demo/practice-lms.json")'``.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, jsonify, render_template, request, session
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.demo import course
from lms_plugin.demo.claims import AGS_SCOPE, LINK_LINEITEM, NRPS_SCOPE
from lms_plugin.demo.config import PracticeConfig, read_config
from lms_plugin.demo.gradebook import Gradebook, LineItem, ScoreRefused
from lms_plugin.demo.oidc import AuthRequestRefused, check_auth_request, id_token, login_url
from lms_plugin.demo.tokens import OAuthError, TokenService

LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LINEITEM_SCOPES = (AGS_SCOPE + "lineitem", AGS_SCOPE + "lineitem.readonly")


def create_app(config_path: str, tokens: TokenService | None = None) -> Flask:
    """The practice LMS for the config the ``demo`` command wrote."""
    config = read_config(config_path)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # who is signed in; forgotten at each start
        SESSION_COOKIE_NAME="practice_lms",  # cookies ignore ports: the tool's are beside it
        SESSION_COOKIE_SAMESITE="Lax",
        # Only its own address: a page elsewhere that points a name at 127.0.0.1 (DNS
        # rebinding) gets a 400, not a practice LMS that signs anyone in.
        TRUSTED_HOSTS=[urlsplit(config.lms_url).hostname],
    )
    book = Gradebook()
    # The activity's own column, as Moodle makes one when a graded activity is added.
    own = book.add(
        course.COURSE_ID, {"label": course.LINK_TITLE, "scoreMaximum": 100}, course.LINK_ID
    )
    assert own.number == LINK_LINEITEM  # the number the launch claims name
    app.extensions["practice"] = {"config": config, "book": book}
    _pages(app, config, book)
    _services(app, config, book, tokens or TokenService(config))
    app.after_request(_headers(config))
    return app


def _pages(app: Flask, config: PracticeConfig, book: Gradebook) -> None:
    @app.get("/")
    def home() -> str:
        return render_template("home.html", people=course.PEOPLE, course=course)

    @app.get("/as/<sub>")
    def open_as(sub: str) -> str:
        """Sign in as ``sub`` and open the course's activity in a frame, as an LMS does."""
        person = course.person(sub)
        if person is None or not person.launchable:
            abort(404)
        session["sub"] = person.sub
        return render_template(
            "launch.html",
            person=person,
            course=course,
            login_url=login_url(config, person),
            tool_origin=_origin(config.tool_url),
        )

    @app.get("/gradebook")
    def gradebook() -> str:
        items = book.find(course.COURSE_ID)
        learners = [p for p in course.PEOPLE if not p.is_instructor]
        return render_template(
            "gradebook.html",
            items=items,
            learners=learners,
            scores=book.scores,
            own=LINK_LINEITEM,
            course=course,
        )

    @app.get("/auth")
    def auth() -> tuple[str, int] | str:
        """The OIDC authentication request (Security Framework §5.1.1.2-3)."""
        try:
            person = check_auth_request(config, request.args, session.get("sub"))
        except AuthRequestRefused as refused:
            return render_template("refused.html", reason=str(refused), course=course), 400
        token = id_token(config, person, request.args["nonce"])
        return render_template(
            "autopost.html",
            action=config.launch_url,
            fields={"id_token": token, "state": request.args["state"]},
            course=course,
        )

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify({"keys": [config.public_jwk()]})


def _services(app: Flask, config: PracticeConfig, book: Gradebook, tokens: TokenService) -> None:
    @app.errorhandler(OAuthError)
    def oauth_error(exc: OAuthError) -> Response:
        response = jsonify({"error": exc.error, "error_description": exc.description})
        response.status_code = exc.status
        if exc.status == 401 and exc.error == "invalid_token":
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        if exc.status == 503:
            response.headers["Retry-After"] = "5"
        return response

    @app.post("/token")
    def token() -> Response:
        response = jsonify(tokens.grant(request.form))
        response.headers["Cache-Control"] = "no-store"
        return response

    def authorize(*scopes: str) -> None:
        tokens.authorize(request.headers.get("Authorization", ""), *scopes)

    def known_course(context_id: str) -> None:
        if context_id != course.COURSE_ID:
            raise OAuthError(404, "not_found", "no such course")

    @app.route("/ags/<context_id>/lineitems", methods=["GET", "POST"])
    def lineitems(context_id: str) -> Response:
        """AGS §3.2: list (filtered) or add the course's line items."""
        known_course(context_id)
        if request.method == "POST":
            authorize(AGS_SCOPE + "lineitem")
            try:
                item = book.add(context_id, _json_object())
            except ValueError as exc:
                raise OAuthError(400, "invalid_request", str(exc)) from None
            return _typed(item.to_json(_item_url(config, item)), LINEITEM_TYPE, 201)
        authorize(*LINEITEM_SCOPES)
        found = book.find(
            context_id,
            resource_link_id=request.args.get("resource_link_id"),
            resource_id=request.args.get("resource_id"),
            tag=request.args.get("tag"),
        )
        return _typed([i.to_json(_item_url(config, i)) for i in found], CONTAINER_TYPE)

    @app.get("/ags/<context_id>/lineitems/<int:number>")
    def lineitem(context_id: str, number: int) -> Response:
        authorize(*LINEITEM_SCOPES)
        item = _item(book, context_id, number)
        return _typed(item.to_json(_item_url(config, item)), LINEITEM_TYPE)

    @app.post("/ags/<context_id>/lineitems/<int:number>/scores")
    def scores(context_id: str, number: int) -> tuple[str, int]:
        """AGS §3.4: a score for one learner on this line item."""
        authorize(AGS_SCOPE + "score")
        item = _item(book, context_id, number)
        if request.mimetype != SCORE_TYPE:
            raise OAuthError(415, "unsupported_media_type", "Content-Type must be " + SCORE_TYPE)
        members = {p.sub for p in course.PEOPLE}
        try:
            book.record(item, _json_object(), members)
        except ScoreRefused as refused:
            raise OAuthError(refused.status, "invalid_request", str(refused)) from None
        return "", 204

    @app.get("/nrps/<context_id>/memberships")
    def memberships(context_id: str) -> Response:
        """NRPS 2.0 §2: the course's members, all on one page."""
        authorize(NRPS_SCOPE)
        known_course(context_id)
        body = {
            "id": config.memberships_url(context_id),
            "context": {
                "id": context_id,
                "label": course.COURSE_LABEL,
                "title": course.COURSE_TITLE,
            },
            "members": [_member(p) for p in course.PEOPLE],
        }
        return _typed(body, MEMBERSHIP_TYPE)


def _member(person: course.Person) -> dict[str, Any]:
    return {
        "status": "Active",
        "user_id": person.sub,
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "roles": [person.role],
    }


def _item(book: Gradebook, context_id: str, number: int) -> LineItem:
    item = book.item(context_id, number)
    if item is None:
        raise OAuthError(404, "not_found", "no such line item")
    return item


def _item_url(config: PracticeConfig, item: LineItem) -> str:
    return config.lineitem_url(item.number, item.context_id)


def _json_object() -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise OAuthError(400, "invalid_request", "the body must be a JSON object")
    return body


def _typed(body: object, media_type: str, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype=media_type)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _headers(config: PracticeConfig) -> Any:
    """Pages load from this LMS only; they frame and post to the tool only."""
    tool = _origin(config.tool_url)
    policy = (
        f"default-src 'self'; frame-src 'self' {tool}; form-action 'self' {tool}; "
        "frame-ancestors 'self'; base-uri 'none'"
    )

    def add(response: BaseResponse) -> BaseResponse:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return add
