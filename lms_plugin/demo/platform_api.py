"""The practice LMS's services, as tools call them: the token endpoint (Security Framework
§4.1), line items and scores (AGS 2.0 §3.2, §3.4) and the roster (NRPS 2.0 §2); every error
an RFC 6749 §5.2 JSON answer."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, jsonify, request

from lms_plugin.demo import course
from lms_plugin.demo.claims import AGS_SCOPE, NRPS_SCOPE
from lms_plugin.demo.config import PracticeConfig
from lms_plugin.demo.gradebook import Gradebook, LineItem, ScoreRefused
from lms_plugin.demo.tokens import OAuthError, TokenService

LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LINEITEM_SCOPES = (AGS_SCOPE + "lineitem", AGS_SCOPE + "lineitem.readonly")


def add_services(app: Flask, config: PracticeConfig, book: Gradebook, tokens: TokenService) -> None:
    """The routes tools call, on ``app``."""

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
        members = {p.sub for p in course.PEOPLE if p.enrolled}
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
            "members": [_member(p) for p in course.PEOPLE if p.enrolled],
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
        "roles": list(person.roles),
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
