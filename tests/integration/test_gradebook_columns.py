"""Scores land in the column the teacher placed, and say what is true (issue 14 §12, §13).

Both placements, over real HTTP against the test LMS: the tool added as one activity without
choosing a module (its launch carries its own line item: the whole certificate's progress goes
there), and modules added by deep linking (each link's own line item gets its module's score).
While an assignment waits for review the LMS is told PendingManual / Submitted without a
number, so its gradebook says "needs grading"; once reviewed, FullyGraded with the number.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests

from lms_plugin.services.practice_log_facts import log_spec
from tests.support.content_keys import L1M1, module
from tests.support.gradebook import drain, launch_link, review, submit_assignment
from tests.support.launch_flow import full_launch
from tests.support.learners import ags_claim, api_launch, submit_quiz
from tests.support.practice_log import entry_form

pytestmark = pytest.mark.integration
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
TITLE = module(L1M1).title


@pytest.fixture
def lms(platform, tool):
    platform.reset_ags()
    yield platform
    platform.reset_ags()


def columns(lms) -> list[str]:
    return [entry["item"]["id"] for entry in lms.lineitems.values()]


def test_a_whole_certificate_activity_gets_the_progress_and_no_other_column_appears(tool, lms):
    activity = lms.place_link(title="ISP Certificate")  # as a Moodle teacher adds the tool
    learner = launch_link(tool, lms, activity)

    submit_quiz(learner, tool)
    drain(tool)

    assert lms.cell(activity.lineitem) == {
        "score": 2.94,
        "needs_grading": False,
        # every module's quiz, assignment and practice log entry, and Level 2's
        # learning-from-failure entry: 34 parts (22 before, with Level 1 "complete" in the LMS
        # though its badge waited for the entries)
        "comment": "2.94% of the certificate (1 of 34 required parts passed). "
        "Level 1: 1 of 18 required parts passed; Level 2: 0 of 16 required parts passed.",
        "activity": "InProgress",
    }
    assert columns(lms) == [activity.lineitem]  # no per-module column nobody asked for

    submission = submit_assignment(learner, tool)
    drain(tool)
    waiting = lms.cell(activity.lineitem)
    assert waiting["score"] is None and waiting["needs_grading"] is True
    assert waiting["activity"] == "Submitted"
    assert waiting["comment"].endswith(f"Waiting for review: {TITLE} assignment.")

    review(tool, submission, 3, "pass")
    drain(tool)
    graded = lms.cell(activity.lineitem)
    assert (graded["score"], graded["needs_grading"]) == (5.88, False)
    assert graded["comment"].startswith("5.88% of the certificate (2 of 34")
    [body] = [s["body"] for s in lms.scores][-1:]
    assert body["gradingProgress"] == "FullyGraded"

    written = learner.post(
        tool.url + f"/modules/{L1M1}/practice-log",
        data=entry_form(log_spec().min_words),
        headers={"Accept": "text/html"},
        allow_redirects=False,
    )
    assert written.status_code == 303
    drain(tool)
    logged = lms.cell(activity.lineitem)
    assert logged["comment"].startswith("8.82% of the certificate (3 of 34"), logged


def deep_link(tool, lms, *slugs: str) -> list[str]:
    """The teacher adds these modules by deep linking; the LMS takes the response."""
    teacher = requests.Session()
    teacher.headers["Accept"] = "text/html"
    picker = full_launch(
        teacher,
        tool.url,
        lms,
        login_hint="teacher-1",
        claims={
            CLAIM + "message_type": "LtiDeepLinkingRequest",
            CLAIM + "resource_link": None,
            DL + "deep_linking_settings": {
                "deep_link_return_url": lms.url + "/dl/return",
                "accept_types": ["ltiResourceLink"],
            },
        },
    )
    form = dict(re.findall(r'name="(csrf|lh)" value="([^"]+)"', picker.text))
    answer = teacher.post(tool.url + "/deep-link", data={**form, "module": list(slugs)})
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1))
    placed = requests.post(lms.url + "/dl/return", data={"JWT": token}, timeout=5)
    assert placed.status_code == 200, placed.text
    return placed.json()


def test_modules_added_by_deep_linking_fill_their_own_columns(tool, lms):
    [link_id] = deep_link(tool, lms, L1M1)
    placement = lms.placements[("course-101", link_id)]
    assert placement.custom == {"module": L1M1}
    assert lms.lineitem_of(placement)["resourceId"] == L1M1
    learner = launch_link(tool, lms, placement)

    submit_quiz(learner, tool)
    drain(tool)
    assert lms.cell(placement.lineitem) == {
        "score": 50.0,
        "needs_grading": False,
        # the practice log is a required part of the module (domain.practice_log)
        "comment": "Quiz 100% passed; assignment not submitted yet; "
        "practice log entry not submitted yet",
        "activity": "InProgress",
    }

    submission = submit_assignment(learner, tool)
    drain(tool)
    assert lms.cell(placement.lineitem) == {
        "score": None,  # not 50/100: "needs grading"
        "needs_grading": True,
        "comment": "Quiz 100% passed; assignment waiting for review; "
        "practice log entry not submitted yet",
        "activity": "Submitted",
    }

    review(tool, submission, 3, "pass")
    drain(tool)
    assert lms.cell(placement.lineitem) == {
        "score": 87.5,
        "needs_grading": False,
        "comment": "Quiz 100% passed; assignment passed (rubric 75%); "
        "practice log entry not submitted yet",
        "activity": "InProgress",
    }

    entry = learner.post(tool.url + f"/modules/{L1M1}/practice-log", data=entry_form(250))
    assert entry.status_code == 200  # the form again, "Saved. Your entry is complete."
    drain(tool)
    assert lms.cell(placement.lineitem) == {
        "score": 87.5,
        "needs_grading": False,
        "comment": "Quiz 100% passed; assignment passed (rubric 75%); practice log entry passed",
        "activity": "Completed",
    }
    assert columns(lms) == [placement.lineitem]
    stamps = [s["body"]["timestamp"] for s in lms.scores]
    assert stamps == sorted(stamps) and lms.refused_scores == []


def test_a_revision_request_is_a_number_with_its_reason(tool, lms):
    [link_id] = deep_link(tool, lms, L1M1)
    placement = lms.placements[("course-101", link_id)]
    learner = launch_link(tool, lms, placement)
    submit_quiz(learner, tool)
    submission = submit_assignment(learner, tool)
    drain(tool)

    review(tool, submission, 2, "revise")
    drain(tool)

    assert lms.cell(placement.lineitem) == {
        "score": 75.0,
        "needs_grading": False,
        "comment": "Quiz 100% passed; assignment: revision requested (rubric 50%); "
        "practice log entry not submitted yet",
        "activity": "InProgress",
    }
    submit_assignment(learner, tool)  # round 2: waiting again
    drain(tool)
    assert lms.cell(placement.lineitem)["needs_grading"] is True


def test_the_whole_certificate_added_by_deep_linking_gets_the_progress(tool, lms):
    [link_id] = deep_link(tool, lms, "*certificate")
    placement = lms.placements[("course-101", link_id)]
    assert placement.custom == {}  # no module: the link opens the overview
    item = lms.lineitem_of(placement)
    assert (item["label"], item["resourceId"], item["tag"]) == (
        "ISP Certificate",
        "isp-certificate",
        "isp-certificate-progress",
    )
    learner = launch_link(tool, lms, placement)

    submit_quiz(learner, tool)
    drain(tool)

    assert lms.cell(placement.lineitem)["score"] == 2.94  # 1 of 34 required parts
    assert columns(lms) == [placement.lineitem]


def test_both_placements_in_one_course_each_get_their_own_score(tool, lms):
    [link_id] = deep_link(tool, lms, L1M1)
    per_module = lms.placements[("course-101", link_id)]
    certificate = lms.place_link(title="ISP Certificate")
    launch_link(tool, lms, certificate)  # the course's links become known to the tool
    learner = launch_link(tool, lms, per_module)

    submit_quiz(learner, tool)
    drain(tool)

    assert lms.cell(per_module.lineitem)["score"] == 50.0
    assert lms.cell(certificate.lineitem)["score"] == 2.94  # 1 of 34 required parts
    assert sorted(columns(lms)) == sorted([per_module.lineitem, certificate.lineitem])


def test_a_certificate_activity_added_later_is_filled_at_its_first_launch(tool, lms):
    for user in ("early-1", "early-2"):  # progress made through a module link
        submit_quiz(api_launch(tool, lms, user=user, claims=ags_claim(lms)), tool)
    drain(tool)
    made = columns(lms)
    assert len(made) == 1  # the module link's column (found or made: it had no line item)

    certificate = lms.place_link(title="ISP Certificate")
    launch_link(tool, lms, certificate, user="teacher-1")  # the teacher opens it first
    drain(tool)

    for user in ("early-1", "early-2"):
        assert lms.cell(certificate.lineitem, user)["score"] == 2.94  # 1 of 34 required parts
    assert lms.cell(certificate.lineitem, "teacher-1") is None  # no grades, no score
    launch_link(tool, lms, certificate, user="teacher-1")
    drain(tool)
    assert len([s for s in lms.scores if s["lineitem"] == certificate.lineitem]) == 2  # once


def test_a_module_link_without_a_line_item_added_later_gets_a_column_filled(tool, lms):
    certificate = lms.place_link(title="ISP Certificate")
    submit_quiz(launch_link(tool, lms, certificate), tool)
    drain(tool)

    module_link = lms.place_link(title="Module 1", custom={"module": L1M1}, graded=False)
    launch_link(tool, lms, module_link, user="teacher-1")  # lineitems only, as Canvas sends
    drain(tool)

    [made] = [e["item"] for e in lms.lineitems.values() if e["item"].get("resourceId") == L1M1]
    assert made["resourceLinkId"] == module_link.link_id
    filled = lms.cell(made["id"])
    assert filled["score"] == 50.0
    # the same parts as the grading drain sends for the module, the practice log included
    assert filled["comment"] == (
        "Quiz 100% passed; assignment not submitted yet; practice log entry not submitted yet"
    )


def test_a_course_s_certificate_column_counts_that_course_s_work_only(tool, lms):
    course_a = lms.place_link("course-A", title="ISP Certificate")
    course_b = lms.place_link("course-B", title="ISP Certificate")
    launch_link(tool, lms, course_b)  # the same learner in another course, no work there
    submit_quiz(launch_link(tool, lms, course_a), tool)
    drain(tool)

    assert lms.cell(course_a.lineitem)["score"] == 2.94  # 1 of 34 required parts
    assert lms.cell(course_b.lineitem) is None


def test_without_a_placed_column_or_the_switch_no_score_is_queued(tool, lms):
    overview = lms.place_link(title="Overview", graded=False)  # no line item of its own
    learner = launch_link(tool, lms, overview)

    submit_quiz(learner, tool)
    drain(tool)

    assert tool.rows("SELECT count(*) FROM grade") == [(1,)]
    assert tool.count("score_outbox") == 0 and lms.lineitems == {}


def test_a_score_moodle_already_holds_is_not_reported_as_failed(tool, lms):
    activity = lms.place_link(title="ISP Certificate")
    submit_quiz(launch_link(tool, lms, activity), tool)
    drain(tool)
    # The drain that sent it died before writing the outcome: the row is due again.
    tool.rows("UPDATE score_outbox SET status = 'pending', next_attempt_at = now() RETURNING id")

    drain(tool)

    assert len(lms.scores) == 1 and len(lms.refused_scores) == 1  # Moodle's 409
    assert tool.rows("SELECT status, classification FROM score_outbox") == [
        ("sent", "lms_has_newer")
    ]
