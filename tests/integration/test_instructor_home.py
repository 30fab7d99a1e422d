"""Launch by role over real launches: the course's staff land on the instructor home, learners
on the player; learners never reach (nor see links to) instructor pages; the home's figures."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.content_keys import L1M1
from tests.support.launch_flow import full_launch
from tests.support.learners import CUSTOM, api_launch
from tests.support.reviews import instructor, rubric_form, submitted

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
PERSON = [LIS + "institution/person#Instructor", LIS + "system/person#User"]
ADMINS = [LIS + "system/person#Administrator", LIS + "institution/person#Administrator"]

# (who, the roles claim as the LMS sends it, where the launch lands)
ROLES = [
    ("canvas teacher", [*PERSON, LIS + "membership#Instructor"], "instructor"),
    (
        "canvas TA",
        [LIS + "membership#Instructor", LIS + "membership/Instructor#TeachingAssistant"],
        "instructor",
    ),
    ("canvas designer", [LIS + "membership#ContentDeveloper"], "instructor"),
    ("canvas account admin", [LIS + "institution/person#Administrator"], "instructor"),
    ("canvas student", [*PERSON, LIS + "membership#Learner"], "player"),
    ("canvas observer", [LIS + "membership#Mentor"], "player"),
    (
        "canvas admin enrolled as a student",
        [LIS + "institution/person#Administrator", LIS + "membership#Learner"],
        "player",
    ),
    ("moodle teacher", [LIS + "membership#Instructor"], "instructor"),
    ("moodle site admin", ADMINS, "instructor"),
    ("moodle student", [LIS + "membership#Learner"], "player"),
    ("short name", ["Instructor"], "instructor"),
    ("no roles", [], "player"),
]


@pytest.mark.parametrize("who, roles, lands", ROLES, ids=[r[0] for r in ROLES])
def test_the_launch_lands_by_the_role_in_the_course(tool, platform, who, roles, lands):
    browser = requests.Session()
    browser.headers.update(HTML)
    page = full_launch(browser, tool.url, platform, claims={CLAIM + "roles": roles})

    assert page.status_code == 200, page.text
    path = page.url.removeprefix(tool.url).split("?")[0]
    if lands == "instructor":
        assert path == "/instructor/"
        assert "Instructor home" in page.text and "View as learner" in page.text
    else:
        assert path == "/"  # the certificate overview (the link names no module)
        assert "/instructor/" not in page.text


def test_a_module_link_opens_the_home_for_staff_and_the_module_for_learners(tool, platform):
    learner = api_launch(tool, platform)  # custom module=L1M1
    teacher = requests.Session()
    teacher.headers.update(HTML)
    page = full_launch(
        teacher, tool.url, platform, login_hint="teacher-1", claims={CUSTOM: {"module": L1M1}}
    )

    assert learner.get(tool.url + "/", headers=HTML).url.split("?")[0].endswith(f"/{L1M1}")
    assert page.url.removeprefix(tool.url).startswith("/instructor/?")
    assert "Learners who open this link go straight to" in page.text


def test_deep_linking_still_opens_the_picker_for_a_ta(tool, platform):
    browser = requests.Session()
    browser.headers.update(HTML)
    claims = {
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        CLAIM + "resource_link": None,
        CLAIM + "roles": [LIS + "membership/Instructor#TeachingAssistant"],
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
            "deep_link_return_url": platform.url + "/dl/return",
            "accept_types": ["ltiResourceLink"],
        },
    }
    page = full_launch(browser, tool.url, platform, claims=claims)
    assert page.status_code == 200 and "/deep-link" in page.url


def _instructor_urls(tool) -> list[tuple[str, str]]:
    """Every instructor route with its methods, its parameters filled with ids of nothing."""
    found = []
    for rule in tool.app.url_map.iter_rules():
        if not rule.rule.startswith("/instructor"):
            continue
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        path = re.sub(r"<(?:string:)?\w+>", "x", path)
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_learners_are_refused_on_every_instructor_route(tool, platform):
    submission = submitted(tool, platform)  # something there would be to see
    learner = api_launch(tool, platform)
    routes = [*_instructor_urls(tool), ("GET", f"/instructor/reviews/{submission}")]
    assert len(routes) >= 10  # home, gradebook, resend, queue, review, cohort, roster, jobs...

    for method, path in routes:
        response = learner.request(method, tool.url + path, headers=HTML, data={})
        assert response.status_code == 403, (method, path, response.status_code)
        assert "for instructors" in response.text, (method, path)
    assert tool.rows("SELECT count(*) FROM review") == [(0,)]


def test_learner_pages_carry_no_instructor_link_and_instructors_can_go_back(tool, platform):
    learner = api_launch(tool, platform)
    teacher = instructor(tool, platform)
    for path in ("/programs", f"/modules/{L1M1}"):
        assert "/instructor" not in learner.get(tool.url + path, headers=HTML).text
        as_learner = teacher.get(tool.url + path, headers=HTML).text
        assert "Back to the instructor home" in as_learner and "/instructor/" in as_learner


def test_the_home_says_what_waits_and_how_the_cohort_is_doing(tool, platform):
    first = submitted(tool, platform, user="a1")  # then nothing for 20 days: stalled
    submitted(tool, platform, user="a2")
    api_launch(tool, platform, user="a3")  # launched this week, no work yet
    submitted(tool, platform, user="b1", course="course-B")  # another course: not counted
    weeks_ago = (datetime.now(UTC) - timedelta(days=20)).isoformat()
    context_id, user_id = tool.rows(
        f"SELECT context_id, user_id FROM assignment_submission WHERE id = {first}"
    )[0]
    tool.rows(
        f"UPDATE assignment_submission SET submitted_at = '{weeks_ago}' WHERE id = {first}"
        " RETURNING id"
    )
    for table, column in (("membership", "launched_at"), ("assignment_draft", "saved_at")):
        tool.rows(
            f"UPDATE {table} SET {column} = '{weeks_ago}' WHERE user_id = {user_id} RETURNING id"
        )
    _roster_only_learner(tool, context_id)
    teacher = instructor(tool, platform)
    tool.rows(
        "INSERT INTO score_outbox (context_id, user_id, module_slug, score_given, score_maximum,"
        " timestamp, status, tries, classification, last_error, next_attempt_at, created_at)"
        f" VALUES ({context_id}, {user_id}, '{L1M1}', 50, 100, now(), 'failed', 1,"
        " 'not_gradable', 'line item was deleted', now(), now()) RETURNING id"
    )

    page = teacher.get(tool.url + "/instructor/", headers=HTML)

    assert page.status_code == 200
    reviews = _section(page.text, "home-reviews")
    assert "2</span> submissions waiting for review" in reviews
    assert "The oldest has waited 20 days" in reviews
    assert f'href="/instructor/reviews/{first}' in reviews  # "Review the oldest"
    sync = _section(page.text, "home-sync")
    assert "1</span> grade not in the LMS gradebook" in sync
    assert "/instructor/gradebook?show=problems" in sync
    cohort = _section(page.text, "home-cohort")
    stats = dict(re.findall(r"<dt>(?:<a [^>]*>)?([^<]+)(?:</a>)?</dt><dd>(\d+)</dd>", cohort))
    assert stats["Learners"] == "4" and stats["Active this week"] == "2"
    assert stats["Never launched"] == "1" and stats["Stalled"] == "1"
    # Each figure opens the cohort dashboard's list of the same learners.
    assert 'href="/instructor/cohort?activity=idle14&amp;risk=1' in cohort
    stalled = teacher.get(tool.url + "/instructor/cohort?activity=idle14&risk=1", headers=HTML)
    assert stalled.status_code == 200 and "Learner a1" in stalled.text
    assert "Learner a2" not in stalled.text and "Learner a3" not in stalled.text


def _roster_only_learner(tool, context_id: int) -> None:
    """A member the roster sync brought in, who never opened the tool."""
    [(registration_id,)] = tool.rows("SELECT id FROM registration")
    [(user_id,)] = tool.rows(
        "INSERT INTO lti_user (registration_id, sub, name, created_at, updated_at)"
        f" VALUES ({registration_id}, 'r1', 'Roster Only', now(), now()) RETURNING id"
    )
    tool.rows(
        "INSERT INTO membership (context_id, user_id, roles, access, created_at, updated_at)"
        f" VALUES ({context_id}, {user_id}, '[]', 'learner', now(), now()) RETURNING id"
    )


def test_the_home_after_a_review_shows_nothing_waiting(tool, platform):
    submission = submitted(tool, platform)
    teacher = instructor(tool, platform)
    teacher.post(
        tool.url + f"/instructor/reviews/{submission}", data=rubric_form(3, "pass"), headers=HTML
    )
    reviews = _section(teacher.get(tool.url + "/instructor/", headers=HTML).text, "home-reviews")
    assert "0</span> submissions waiting for review" in reviews


def _section(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</section>', page, re.S)
    assert match, testid
    return match.group(1)


def test_staff_tries_wait_for_review_marked_as_theirs(tool, platform):
    # Staff who tried an assignment through "View as learner" may try the review too, but
    # the home, the queue and the review page say whose work it is: its grade goes nowhere.
    own = submitted(tool, platform, user="teacher-1")
    theirs = submitted(tool, platform, user="learner-1")
    teacher = instructor(tool, platform)

    reviews = _section(teacher.get(tool.url + "/instructor/", headers=HTML).text, "home-reviews")
    assert "2</span> submissions waiting for review" in reviews
    assert "1 of them is a course staff member's own try" in html.unescape(reviews)

    queue = teacher.get(tool.url + "/instructor/reviews", headers=HTML).text
    rows = re.findall(r"<tr[^>]*>\s*<td class=\"learner-name\">(.*?)</td>", queue, re.S)
    marked = [
        f"/instructor/reviews/{own}" in row for row in rows if 'data-testid="staff-try"' in row
    ]
    assert marked == [True] and len(rows) == 2

    notice = "is on this course's staff and submitted this through “View as learner”"
    own_page = html.unescape(
        teacher.get(tool.url + f"/instructor/reviews/{own}", headers=HTML).text
    )
    assert notice in own_page and "no grade goes to the LMS gradebook" in own_page
    page = teacher.get(tool.url + f"/instructor/reviews/{theirs}", headers=HTML).text
    assert notice not in html.unescape(page)


def test_the_home_says_when_every_waiting_submission_is_a_staff_try(tool, platform):
    submitted(tool, platform, user="teacher-1")
    teacher = instructor(tool, platform)
    reviews = _section(teacher.get(tool.url + "/instructor/", headers=HTML).text, "home-reviews")
    assert "1</span> submission waiting for review" in reviews
    assert "It is a course staff member's own try" in html.unescape(reviews)
