"""Links placed in the test LMS, learners working through them over HTTP, and the drains that
carry their grades to the LMS gradebook, run in the test process as a worker runs them."""

from __future__ import annotations

from typing import Any

import requests

from tests.support.content_keys import L1M1, module
from tests.support.launch_flow import full_launch
from tests.support.lti_platform import LmsPlatform, Placement


def launch_link(
    tool: Any, platform: LmsPlatform, placement: Placement, user: str = "learner-1"
) -> requests.Session:
    """A browser after launching a placed link (its custom parameters and own line item are
    in the launch, as the LMS sends them); API calls carry the launch token."""
    if user not in platform.users:
        platform.add_user(user, f"Learner {user}", platform.users["learner-1"].roles)
    browser = requests.Session()
    browser.headers["Accept"] = "application/json"
    claims = {"context_id": placement.context_id, "resource_link_id": placement.link_id}
    response = full_launch(browser, tool.url, platform, login_hint=user, claims=claims)
    assert response.status_code == 200, response.text
    if "lh=" in response.url:
        browser.headers["Authorization"] = f"Bearer {response.url.split('lh=')[1]}"
    return browser


def submit_assignment(browser: requests.Session, tool: Any, slug: str = L1M1) -> int:
    response = browser.post(
        tool.url + f"/api/v1/modules/{slug}/assignment/submissions",
        json={"text": "My role map, in **Markdown**."},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def drain(tool: Any) -> None:
    """Grade (and announce) everything waiting, then send every due score, as the worker."""
    from lms_plugin.db import db
    from lms_plugin.services import grades, passback
    from worker.ports import ags_for, store

    with tool.app.app_context():
        while grades.grade_submitted(db.session()).done:
            pass
        passback.publish_due(db.session(), ags_for, store())


def review(tool: Any, submission_id: int, level: int, decision: str) -> None:
    """An instructor's rubric review of the round, folded into the grade (services)."""
    from lms_plugin.db import db
    from lms_plugin.services import reviews

    criteria = module(L1M1).assignment.criteria  # type: ignore[union-attr]
    with tool.app.app_context():
        session = db.session()
        context_id, reviewer = tool.rows(
            f"SELECT context_id, user_id FROM assignment_submission WHERE id = {submission_id}"
        )[0]
        done = reviews.record_review(
            session,
            context_id=context_id,
            reviewer_id=reviewer,
            submission_id=submission_id,
            scores={c.id: level for c in criteria},
            feedback="Reviewed.",
            decision=decision,
        )
        reviews.finalize_review(session, done.id)
