"""The instructor's gradebook columns page and per-module switch, over real HTTP: what each
column receives, the switch filling new columns at once, learners refused, one course only."""

from __future__ import annotations

import re

import pytest

from tests.support.content_keys import L1M1, catalogue
from tests.support.gradebook import drain, launch_link, submit_assignment
from tests.support.learners import api_launch, submit_quiz

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}
PAGE = "/instructor/gradebook/columns"
SWITCH = "/instructor/gradebook/module-columns"


@pytest.fixture
def lms(platform, tool):
    platform.reset_ags()
    yield platform
    platform.reset_ags()


def teacher(tool, lms, course="course-101"):
    """The teacher, launched from an overview link of the course (no module chosen)."""
    return launch_link(tool, lms, lms.place_link(course, graded=False), user="teacher-1")


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_says_what_each_column_receives(tool, lms):
    certificate = lms.place_link(title="ISP Certificate")
    module_link = lms.place_link(title="Module 1", custom={"module": L1M1})
    learner = launch_link(tool, lms, module_link)
    launch_link(tool, lms, certificate)
    submit_quiz(learner, tool)
    drain(tool)

    page = teacher(tool, lms).get(tool.url + PAGE, headers=HTML)

    assert page.status_code == 200
    shown = text(page.text)
    assert "ISP Certificate Progress through the whole certificate" in shown
    assert "This module's grade (the activity you added) 1 sent" in shown
    assert "Off. 10 modules have no column of their own: their grades count in the" in shown
    assert "Theories, models and frameworks" in shown  # a module nobody placed
    assert "Add a column for every module" in shown


def test_turning_per_module_columns_on_fills_them_at_once(tool, lms):
    certificate = lms.place_link(title="ISP Certificate")
    learner = launch_link(tool, lms, certificate)
    submit_quiz(learner, tool)
    drain(tool)
    assert len(lms.lineitems) == 1  # the certificate's own: no module column yet

    browser = teacher(tool, lms)
    done = browser.post(tool.url + SWITCH, data={"on": "1"}, headers=HTML, allow_redirects=False)
    assert done.status_code == 303 and "filled=1" in done.headers["Location"]
    drain(tool)

    made = [e["item"] for e in lms.lineitems.values() if e["item"].get("resourceId") == L1M1]
    assert len(made) == 1 and made[0]["label"] == catalogue().module(L1M1)[1].title
    assert lms.cell(made[0]["id"])["score"] == 50.0
    page = browser.get(tool.url + PAGE, headers=HTML)
    assert "On: every module you have not added" in text(page.text)
    assert tool.rows("SELECT module_columns FROM lti_context") == [(True,)]

    submit_assignment(learner, tool)
    drain(tool)  # from now on, the module's every change goes to its column too
    assert lms.cell(made[0]["id"])["needs_grading"] is True

    off = browser.post(tool.url + SWITCH, data={"on": "0"}, headers=HTML, allow_redirects=False)
    assert off.status_code == 303
    assert tool.rows("SELECT module_columns FROM lti_context") == [(False,)]


def test_learners_never_reach_the_page_or_the_switch(tool, lms):
    learner = api_launch(tool, lms)
    assert learner.get(tool.url + PAGE, headers=HTML).status_code == 403
    refused = learner.post(tool.url + SWITCH, data={"on": "1"}, headers=HTML)
    assert refused.status_code == 403
    assert tool.rows("SELECT module_columns FROM lti_context") == [(False,)]


def test_the_switch_is_one_courses_own(tool, lms):
    api_launch(tool, lms, course="course-A")
    other = teacher(tool, lms, course="course-B")
    assert other.post(tool.url + SWITCH, data={"on": "1"}, headers=HTML).status_code == 200
    assert dict(tool.rows("SELECT context_id, module_columns FROM lti_context")) == {
        "course-A": False,
        "course-B": True,
    }


@pytest.mark.parametrize("value", [None, "yes", "", "1" * 5000])
def test_an_odd_choice_is_a_clear_400(tool, lms, value):
    form = {} if value is None else {"on": value}
    answer = teacher(tool, lms).post(tool.url + SWITCH, data=form, headers=HTML)
    assert answer.status_code == 400
    assert "Choose whether every module gets a gradebook column" in answer.text


def headers(html: str) -> list[str]:
    """The sync table's column headings."""
    head = re.search(r"<thead[^>]*>(.*?)</thead>", html, re.S)
    return [text(th) for th in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1), re.S)]  # type: ignore[union-attr]


def rows(html: str) -> list[str]:
    """The sync table's rows as text, header left out."""
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S)
    found = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S) if body else []
    return [text(row) for row in found]


def test_the_sync_page_lists_the_certificate_score_and_says_why_a_module_grade_is_not_sent(
    tool, lms
):
    certificate = lms.place_link(title="ISP Certificate")  # the course's only graded column
    learner = launch_link(tool, lms, certificate)
    submit_quiz(learner, tool)
    drain(tool)
    browser = teacher(tool, lms)
    name = lms.users["learner-1"].name

    page = browser.get(tool.url + "/instructor/gradebook", headers=HTML)

    assert page.status_code == 200
    assert "1 sent · 0 on the way · 0 being retried · 0 refused" in text(page.text)
    whole, quiz = rows(page.text)
    assert re.fullmatch(rf"{name} The whole certificate \d+(\.\d+)?% Sent", whole), whole
    title = catalogue().module(L1M1)[1].title
    assert quiz == f"{name} {title} 50% Not sent: no column takes it"
    assert headers(page.text) == [
        "Learner",
        "Module or certificate",
        "Grade",
        "In the LMS gradebook",
    ]


def test_an_instructor_s_own_quiz_is_graded_for_them_but_never_sent_to_the_lms(tool, lms):
    """Through "View as learner" staff can try a quiz and see its result; the LMS gradebook
    (the test LMS keeps every score it is sent) and the sync page hold only the learners'."""
    module_link = lms.place_link(title="Module 1", custom={"module": L1M1})
    learner = launch_link(tool, lms, module_link)
    staff = launch_link(tool, lms, module_link, user="teacher-1")
    submit_quiz(learner, tool)
    tried = submit_quiz(staff, tool)
    drain(tool)

    assert staff.get(tool.url + f"/api/v1/attempts/{tried}").json()["status"] == "graded"
    overview = text(staff.get(tool.url + "/programs", headers=HTML).text)
    assert "it is not sent to the LMS gradebook and earns no credential" in overview
    assert {score["user"] for score in lms.scores} == {"learner-1"}
    page = staff.get(tool.url + "/instructor/gradebook", headers=HTML).text
    assert "1 sent · 0 on the way" in text(page)
    lines = rows(page)
    assert lines and all(line.startswith(lms.users["learner-1"].name + " ") for line in lines)


def test_a_refused_certificate_score_can_be_found_and_sent_again(tool, lms):
    certificate = lms.place_link(title="ISP Certificate")
    submit_quiz(launch_link(tool, lms, certificate), tool)
    drain(tool)
    [(outbox_id,)] = tool.rows(
        "UPDATE score_outbox SET status = 'failed', classification = 'not_gradable',"
        " last_error = 'line item was deleted' WHERE module_slug = '*certificate' RETURNING id"
    )
    browser = teacher(tool, lms)

    problems = browser.get(tool.url + "/instructor/gradebook?show=problems", headers=HTML)

    [line] = [r for r in rows(problems.text) if "The whole certificate" in r]
    name = lms.users["learner-1"].name
    refused = "Failed: not_gradable — line item was deleted"
    assert re.fullmatch(rf"{name} The whole certificate \d+(\.\d+)?% {refused}", line), line
    assert f'name="outbox_id" value="{outbox_id}"' in problems.text
    assert headers(problems.text)[0] == "Select"  # a column only where a grade can be resent
    csrf = re.search(r'name="csrf" value="([^"]+)"', problems.text).group(1)
    resent = browser.post(
        tool.url + "/instructor/scores/resend",
        data={"csrf": csrf, "outbox_id": str(outbox_id)},
        headers=HTML,
        allow_redirects=False,
    )
    assert resent.status_code == 303
    assert tool.rows(f"SELECT status FROM score_outbox WHERE id = {outbox_id}") == [("pending",)]
