"""The practice LMS as a web app: the course page, launches, adding activities, the gradebook.

Run by ``lms-plugin demo`` as its own gunicorn process on 127.0.0.1:
``gunicorn 'lms_plugin.demo.app:create_app("<instance>/demo/practice-lms.json")'``. The routes
tools call (token, AGS, NRPS) are in ``demo.platform_api``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import jwt
from flask import Flask, Response, abort, jsonify, render_template, request, session
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.demo import course
from lms_plugin.demo.activities import Activities, certificate
from lms_plugin.demo.claims import LINK_LINEITEM, deep_linking_claims, launch_claims
from lms_plugin.demo.config import PracticeConfig, read_config
from lms_plugin.demo.deep_linking import DeepLinkRefused, add_activities, read_answer
from lms_plugin.demo.gradebook import Gradebook
from lms_plugin.demo.oidc import (
    ADD_ACTIVITIES,
    AuthRequestRefused,
    check_auth_request,
    login_url,
    sign,
)
from lms_plugin.demo.platform_api import add_services
from lms_plugin.demo.tokens import TokenService


def create_app(config_path: str) -> Flask:
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
    book, activities = Gradebook(), Activities()
    # The certificate's own column, as Moodle makes one when a graded activity is added.
    own = book.add(
        course.COURSE_ID, {"label": course.LINK_TITLE, "scoreMaximum": 100}, course.LINK_ID
    )
    assert own.number == LINK_LINEITEM  # the number the launch claims name
    activities.add(certificate(own.number))
    tool_keys = jwt.PyJWKClient(config.tool_jwks_url, lifespan=300, timeout=5)
    app.extensions["practice"] = {"config": config, "book": book, "activities": activities}
    _pages(app, config, book, activities)
    _deep_linking(app, config, book, activities, tool_keys)
    add_services(app, config, book, TokenService(config, tool_keys))
    app.after_request(_headers(config))
    return app


def _pages(app: Flask, config: PracticeConfig, book: Gradebook, activities: Activities) -> None:
    @app.get("/")
    def home() -> str:
        return render_template(
            "home.html",
            people=course.PEOPLE,
            activities=activities.all(),
            add=ADD_ACTIVITIES,
            instructor=course.instructor(),
            course=course,
        )

    @app.get("/as/<sub>")
    @app.get("/as/<sub>/<link_id>")
    def open_as(sub: str, link_id: str = course.LINK_ID) -> str:
        """Sign in as ``sub`` and open an activity in a frame, as an LMS does; ADD_ACTIVITIES
        opens the tool's picker (deep linking), for instructors."""
        person = course.person(sub)
        adding = link_id == ADD_ACTIVITIES
        activity = None if adding else activities.find(link_id)
        if person is None or not person.launchable or (adding and not person.is_instructor):
            abort(404)
        if activity is None and not adding:
            abort(404)
        session["sub"] = person.sub
        return render_template(
            "launch.html",
            person=person,
            activity=activity,
            activities=activities.all(),
            course=course,
            login_url=login_url(config, person, link_id),
            tool_origin=_origin(config.tool_url),
        )

    @app.get("/gradebook")
    def gradebook() -> str:
        return render_template(
            "gradebook.html",
            items=book.find(course.COURSE_ID),
            learners=[p for p in course.PEOPLE if p.is_learner],
            scores=book.scores,
            placed={a.lineitem for a in activities.all()},
            course=course,
        )

    @app.get("/auth")
    def auth() -> tuple[str, int] | str:
        """The OIDC authentication request (Security Framework §5.1.1.2-3)."""
        try:
            person, activity = check_auth_request(
                config, request.args, session.get("sub"), activities
            )
        except AuthRequestRefused as refused:
            return render_template("refused.html", reason=str(refused), course=course), 400
        nonce, now = request.args["nonce"], int(time.time())
        claims: dict[str, Any] = (
            deep_linking_claims(
                config, person, nonce=nonce, now=now, data=activities.expect_answer()
            )
            if activity is None
            else launch_claims(config, person, nonce=nonce, now=now, activity=activity)
        )
        return render_template(
            "autopost.html",
            action=config.launch_url,
            fields={"id_token": sign(config, claims), "state": request.args["state"]},
            course=course,
        )

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify({"keys": [config.public_jwk()]})


def _deep_linking(
    app: Flask,
    config: PracticeConfig,
    book: Gradebook,
    activities: Activities,
    tool_keys: jwt.PyJWKClient,
) -> None:
    @app.post("/deep-link/return")
    def deep_link_return() -> tuple[str, int] | str:
        """The tool's LtiDeepLinkingResponse (DL 2.0 §4.5): each link becomes an activity."""
        try:
            items = read_answer(config, request.form.get("JWT", ""), tool_keys, activities)
            added = add_activities(items, _lineitem_maker(book))
        except (DeepLinkRefused, ValueError) as refused:
            return render_template("refused.html", reason=str(refused), course=course), 400
        for activity in added:
            activities.add(activity)
        return render_template("added.html", added=added, course=course)


def _lineitem_maker(book: Gradebook) -> Callable[[str, Mapping[str, Any]], int]:
    """A new gradebook column for a new activity (AGS 2.0 §3.2.3: the item's lineItem)."""

    def make(link_id: str, body: Mapping[str, Any]) -> int:
        return book.add(course.COURSE_ID, dict(body), link_id).number

    return make


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
