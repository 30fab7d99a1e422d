"""An assignment submitted by a learner and an instructor who reviews it, over real HTTP."""

from __future__ import annotations

from tests.support.content_keys import L1M1, module
from tests.support.learners import api_launch


def submitted(
    tool, platform, *, user="learner-1", course="course-101", text="My role map, in **Markdown**."
) -> int:
    learner = api_launch(tool, platform, user=user, course=course)
    response = learner.post(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/submissions",
        json={"text": text},
    )
    assert response.status_code == 201
    return int(response.json()["id"])


def instructor(tool, platform, course="course-101"):
    return api_launch(tool, platform, user="teacher-1", course=course)


def rubric_form(level: int, decision: str, feedback: str = "Good work.") -> dict[str, str]:
    criteria = module(L1M1).assignment.criteria
    return {
        **{f"c-{c.id}": str(level) for c in criteria},
        "feedback": feedback,
        "decision": decision,
    }
