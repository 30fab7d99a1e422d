"""Bad input gets a 4xx, never a 500: every route of the app, as nobody, a learner and an
instructor, with malformed ids, slugs, query strings, headers and bodies. A fixed list of inputs
(no randomness), over real HTTP, on PostgreSQL + Redis and on the embedded default (SQLite, the
store in a table)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask_migrate import upgrade

from lms_plugin.db import db
from lms_plugin.services.keys import ensure_keys
from lms_plugin.services.platforms import PlatformSpec, add_platform
from lms_plugin.web import deps
from lms_plugin.web.app import create_app
from tests.conftest import ToolHandle, make_settings, sync_courses
from tests.support.content_keys import L1M1, module
from tests.support.learners import api_launch, submit_quiz
from tests.support.lti_platform import LmsPlatform
from tests.support.servers import ServerThread

pytestmark = pytest.mark.integration

IDS = ["1", "0", "-1", str(2**31), str(2**70), "abc"]
SLUGS = [L1M1, "no-such-module", "a" * 3000, "%00", "mod%C3%BCle", ".."]
QUERIES = [
    "",
    "?lh=forged",
    "?lh=" + "x" * 5000,
    "?page=-1&status=%FF",
    f"?ids=1,2,x&id={2**70}&job={2**40}",
]
JSON = {"Content-Type": "application/json"}
BODIES: list[dict[str, Any]] = [
    {},
    {"data": b"\xff\xfe not json", "headers": {"Content-Type": "application/json"}},
    {"json": [1, 2, 3]},
    {"json": {"answers": "nope", "text": 5, "ids": "x", "criteria": [None]}},
    {"json": {"answers": {"x": {"y": [1, {"z": None}]}}, "text": "t" * 200_000}},
    {"data": {"csrf": "x", "action": "pass", "score": "NaN", "feedback": "\x00"}},
    {"json": {"ids": [2**70, -1], "outbox_ids": [2**40], "answers": {"q": 2**70}}},
    {"data": {"ids": str(2**70), "outbox_id": [str(2**40), "x", "²"], "c-1": "1e999"}},
    {  # a rubric review with every criterion scored out of range or not a number
        "data": {
            **{
                f"c-{c.id}": value
                for c, value in zip(
                    module(L1M1).assignment.criteria,  # type: ignore[union-attr]
                    ["-1", str(2**70), "NaN", "1.5", "²", ""],
                    strict=False,
                )
            },
            "decision": "maybe",
            "feedback": "f" * 200_000,
        }
    },
    # JSON nested past any parser's recursion limit (json.loads raised RecursionError: a 500)
    {"data": "[" * 5_000 + "]" * 5_000, "headers": JSON},
    {"data": '{"answers": {"q": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}}", "headers": JSON},
    # text no database column can hold: NUL (PostgreSQL), half a surrogate pair (UTF-8)
    {"json": {"text": "my\x00map", "answers": {"q": "\x00"}, "feedback": "\x00"}},
    {"data": '{"text": "a\\ud800b", "answers": {"q": "\\udfff"}}', "headers": JSON},
    {"data": {"text": "my\x00map", "action": "save", "csrf": "x"}},
]


HEADERS: list[dict[str, Any]] = [
    {},
    {"headers": {"Authorization": "Bearer " + "x." * 2000}},
    {"headers": {"Authorization": "Basic Zm9vOmJhcg==", "Cookie": "lms_session=%%%; a=\\x"}},
    {"headers": {"Accept": "text/html", "X-CSRF-Token": "\u00ff" * 3}},
]


def _paths(rule: str) -> Iterator[str]:
    """The rule with each placeholder filled by every malformed value of its kind."""
    if "<int:" in rule or "<slug>" in rule or "<lesson_slug>" in rule:
        head, _, rest = rule.partition("<")
        name, _, tail = rest.partition(">")
        values = IDS if name.startswith("int:") else SLUGS
        for value in values:
            yield from _paths(head + value + tail)
    else:
        yield rule


@pytest.fixture
def embedded_tool(tmp_path) -> Iterator[tuple[ToolHandle, LmsPlatform]]:
    """The tool on the embedded default: SQLite and the key-value store in a table."""
    server = ServerThread()
    app = create_app(
        make_settings(
            str(tmp_path), database_url=f"sqlite:///{tmp_path}/t.db", public_url=server.url
        )
    )
    lms = LmsPlatform(tool_url=server.url).start()
    with app.app_context():
        upgrade()
        sync_courses()
        ensure_keys(db.session())
        add_platform(db.session(), deps.tenants(), PlatformSpec(**lms.registration_args()))
    server.wrapper.app = app
    server.start()
    yield ToolHandle(server.url, app), lms
    server.stop()
    lms.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(params=["postgres", "embedded"])
def target(request) -> tuple[ToolHandle, LmsPlatform]:
    if request.param == "postgres":
        return request.getfixturevalue("tool"), request.getfixturevalue("platform")
    return request.getfixturevalue("embedded_tool")  # type: ignore[no-any-return]


@pytest.fixture
def visitors(target) -> dict[str, requests.Session]:
    tool, platform = target
    learner = api_launch(tool, platform, user="fuzz-learner")
    submit_quiz(learner, tool)  # a real attempt and a submission to review: state to trip over
    written = learner.post(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/submissions", json={"text": "My map."}
    )
    assert written.status_code == 201, written.text
    anonymous = requests.Session()
    anonymous.headers["Accept"] = "application/json"
    return {
        "nobody": anonymous,
        "learner": learner,
        "instructor": api_launch(tool, platform, user="teacher-1"),
    }


def test_no_route_answers_malformed_input_with_a_server_error(target, visitors):
    tool, _ = target
    rules = [
        (rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in tool.app.url_map.iter_rules()
        if not rule.rule.startswith("/static/")
    ]
    failures: list[str] = []
    sent = 0
    for rule, methods in rules:
        for path in _paths(rule):
            for method in methods:
                for who, client in visitors.items():
                    variants = [{}] if method == "GET" else BODIES
                    for query in QUERIES if method == "GET" else QUERIES[:2]:
                        for body in variants:
                            response = client.request(
                                method, tool.url + path + query, timeout=30, **body
                            )
                            sent += 1
                            if response.status_code >= 500:
                                failures.append(
                                    f"{who} {method} {path[:80]}{query[:40]} "
                                    f"{json.dumps(body, default=repr)[:80]} -> "
                                    f"{response.status_code} {response.text[:120]}"
                                )
    assert sent > 1000  # the sweep really ran over the routes
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
