"""The competency self-assessment over real HTTP: the start of Level 1 opens at once, the end
only once the level is complete; a point is rated once; the learner sees before and after; the
course's instructors see the cohort summary and no other course's; bad input is a clear 4xx."""

from __future__ import annotations

import pytest

from tests.support.awards import complete_level
from tests.support.learners import api_launch
from tests.support.reviews import instructor

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}
ISP = [
    *(f"CE-{n}" for n in range(1, 6)),
    *(f"OI-{n}" for n in range(1, 7)),
    *(f"SC-{n}" for n in range(1, 5)),
]


def _rate(browser, tool, point, level, **extra):
    data = {"point": point, **dict.fromkeys(ISP, str(level)), **extra}
    return browser.post(
        tool.url + "/self-assessment", data=data, headers=HTML, allow_redirects=False
    )


def test_before_and_after_for_the_learner(tool, platform):
    learner = api_launch(tool, platform)
    page = learner.get(tool.url + "/self-assessment", headers=HTML).text
    assert "Start of Level 1" in page and "Rate yourself: End of Level 1" not in page
    assert "Addressing power differentials" in page  # with each competency's text
    assert _rate(learner, tool, "level-1-end", 3).status_code == 403  # the level is not done
    assert _rate(learner, tool, "level-1-start", 2).status_code == 303
    assert _rate(learner, tool, "level-1-start", 3).status_code == 409  # the "before" stays

    complete_level(tool, platform)
    assert _rate(learner, tool, "level-1-end", 3, **{"SC-4": "1"}).status_code == 303
    page = learner.get(tool.url + "/self-assessment", headers=HTML).text
    table = page[page.index('data-testid="before-after"') :]
    row = table[table.index('data-competency="CE-1"') :]
    assert "2 Emerging" in row[:400] and "3 Practicing" in row[:400] and "+1" in row[:400]
    sc4 = table[table.index('data-competency="SC-4"') :]
    assert "-1" in sc4[: sc4.index("</tr>")]


def test_cohort_summary_is_the_course_s_own(tool, platform):
    _rate(api_launch(tool, platform, user="a1"), tool, "level-1-start", 2)
    _rate(api_launch(tool, platform, user="a2"), tool, "level-1-start", 4)
    _rate(api_launch(tool, platform, user="b1", course="course-B"), tool, "level-1-start", 1)
    page = instructor(tool, platform).get(tool.url + "/instructor/self-assessment", headers=HTML)
    assert page.status_code == 200
    row = page.text[page.text.index('data-competency="OI-4"') :]
    assert "3.00" in row[: row.index("</tr>")] and "0 / 1 / 0 / 1" in row[: row.index("</tr>")]
    other = instructor(tool, platform, course="course-B").get(
        tool.url + "/instructor/self-assessment", headers=HTML
    )
    row = other.text[other.text.index('data-competency="OI-4"') :]
    assert "1.00" in row[: row.index("</tr>")] and "3.00" not in row[: row.index("</tr>")]
    learner = api_launch(tool, platform, user="a1")
    assert learner.get(tool.url + "/instructor/self-assessment", headers=HTML).status_code == 403


@pytest.mark.parametrize(
    ("point", "extra", "status", "says"),
    [
        ("level-1-start", {"CE-1": "5"}, 400, "from 1 to 4"),
        ("level-1-start", {"XX-1": "2"}, 400, "Unknown competencies"),
        ("level-1-start", {"OI-2": ""}, 422, "OI-2"),
        ("no-such-point", {}, 404, "no such"),
    ],
)
def test_bad_input_is_a_clear_4xx(tool, platform, point, extra, status, says):
    response = _rate(api_launch(tool, platform), tool, point, 2, **extra)
    assert response.status_code == status and says in response.text
    assert tool.rows("SELECT count(*) FROM self_assessment") == [(0,)]
