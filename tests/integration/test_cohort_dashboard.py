"""The cohort dashboard over HTTP against the test LMS: the grid's states for learners at known
stages, filters, sort, paging, the at-risk and never-launched lists, the drill-down of a cell,
the CSV exports, tenancy, and learners kept out."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote

import pytest
from lxml import html

from lms_plugin.db import db
from lms_plugin.domain.i18n import whole_percent
from lms_plugin.services import grades
from tests.support.app_settings import settings_changed
from tests.support.awards import write_passed_work
from tests.support.cohort import HTML, NAMES, launch, read_grid, seed_cohort
from tests.support.content_keys import L1M1, catalogue, module
from tests.support.learners import api_launch

pytestmark = pytest.mark.integration


@pytest.fixture
def seeded(tool, platform):
    seed = seed_cohort(tool, platform)
    teacher = api_launch(tool, platform, user="teacher-1")
    return seed, teacher


def test_each_learner_shows_their_true_state_in_the_module(tool, seeded):
    _, teacher = seeded
    page = teacher.get(tool.url + "/instructor/cohort", headers=HTML)
    assert page.status_code == 200
    grid = read_grid(page.text)

    assert {name: row.cells["1.1"][:2] for name, row in grid.items() if name in NAMES.values()} == {
        "Ana Passed": ("passed", "100%"),
        "Ben Review": ("needs_review", "review"),
        "Cara Failed": ("failed", "0%"),
        "Dan Grading": ("submitted", "grading"),
        "Eve Started": ("in_progress", "started"),
        "Gus Idle": ("in_progress", "started"),
    }
    assert grid["Ana Passed"].cells["1.2"][0] == "not_started"
    assert grid["Ana Passed"].passed == "1/11"
    assert "Learner teacher-1" not in grid  # instructors are not learners
    assert grid["Cara Failed"].tags == ["at risk"] and grid["Gus Idle"].tags == ["at risk"]
    assert grid["Eve Started"].tags == [] and "ago" in grid["Eve Started"].last


def test_at_risk_list_says_why_with_the_rule(tool, seeded):
    _, teacher = seeded
    doc = html.fromstring(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)
    section = doc.xpath("//section[@data-testid='at-risk']")[0]
    text = " ".join(section.text_content().split())
    assert "nothing in the tool for 14 days or more" in text  # the rule, in words
    items = [" ".join(li.text_content().split()) for li in section.xpath(".//li")]
    assert any(i.startswith("Gus Idle: no activity for 20 days") for i in items), items
    assert any(i.startswith("Cara Failed: 2+ failed quiz attempts in 1.1") for i in items), items
    assert len(items) == 2


def test_roster_members_who_never_launched_are_listed(tool, platform, seeded):
    _, teacher = seeded
    platform.roster_extra = [
        {
            "user_id": "c-roster",
            "roles": ["Learner"],
            "status": "Active",
            "name": "Finn Roster",
            "email": "finn@example.edu",
        }
    ]
    try:
        _sync_roster(tool)
    finally:
        platform.roster_extra = []
    doc = html.fromstring(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)
    never = [
        " ".join(li.text_content().split())
        for li in doc.xpath("//ul[@data-testid='never-launched']/li")
    ]
    assert "Finn Roster · finn@example.edu" in never
    assert not any(n.startswith(tuple(NAMES.values())) for n in never)  # they all launched
    grid = read_grid(html.tostring(doc, encoding="unicode"))
    assert grid["Finn Roster"].tags == ["never launched"] and grid["Finn Roster"].last == "never"


def test_never_launched_is_not_known_before_the_roster_is_synced(tool, platform):
    """With syncs only by hand (LMS_ROSTER_SYNC_HOURS=0), nothing starts one: the count waits."""
    with settings_changed(tool.app, roster_sync_hours=0):
        seed = seed_cohort(tool, platform)
        teacher = api_launch(tool, platform, user="teacher-1")
        _never_launched_before_the_first_sync(tool, (seed, teacher))


def _never_launched_before_the_first_sync(tool, seeded) -> None:
    _, teacher = seeded

    def read(path: str) -> tuple[str, str]:
        doc = html.fromstring(teacher.get(tool.url + path, headers=HTML).text)
        dts = doc.xpath("//dt[normalize-space()='Never launched']")
        figure = dts[0].getnext().text_content()
        note = " ".join(" ".join(p.text_content().split()) for p in doc.xpath(_UNKNOWN))
        return figure, note

    # Every member so far launched; learners only the LMS knows of are not known yet.
    for path in ("/instructor/cohort", "/instructor/"):
        figure, note = read(path)
        assert figure == "—not known", path
        assert "roster has not been synced from the LMS yet" in note, path
    doc = html.fromstring(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)
    [why] = doc.xpath("//dt[normalize-space()='Never launched']/following-sibling::dd//a/@href")
    assert why == "#roster" and doc.xpath(
        "//section[@id='roster']//*[@data-testid='roster-unknown']"
    )
    cohort = teacher.get(tool.url + "/instructor/cohort", headers=HTML).text
    assert "Every learner on the roster" not in cohort
    never = teacher.get(tool.url + "/instructor/cohort?activity=never", headers=HTML).text
    empty = " ".join(
        html.fromstring(never).xpath("//p[@data-testid='no-match']")[0].text_content().split()
    )
    assert "No learner matches these filters." in empty
    assert "roster has not been synced from the LMS yet" in empty

    _sync_roster(tool)
    doc = html.fromstring(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)
    assert doc.xpath("//ul[@data-testid='never-launched']/li")  # the roster has such members
    [(never,)] = tool.rows(
        "SELECT count(*) FROM membership WHERE access = 'learner' AND launched_at IS NULL"
    )
    for path in ("/instructor/cohort", "/instructor/"):
        assert read(path) == (str(never), ""), path
    text = " ".join(doc.xpath("//section[@id='roster']")[0].text_content().split())
    assert "Last roster sync: done (" in text


def test_the_first_visit_of_the_courses_staff_starts_the_roster_sync(tool, platform):
    """An instructor who opens the course sees who has never launched without a click: their
    first page view (the launch lands on the home) starts the roster sync, once; the page says
    it runs and follows it."""

    def syncs() -> list[tuple[str, ...]]:
        return tool.rows("SELECT status FROM job_run WHERE kind = 'roster_sync' ORDER BY id")

    seed_cohort(tool, platform)
    assert syncs() == []  # the learners' launches and pages start none
    teacher = api_launch(tool, platform, user="teacher-1")
    assert syncs() == [("running",)]
    doc = html.fromstring(teacher.get(tool.url + "/instructor/", headers=HTML).text)
    assert syncs() == [("running",)]  # the next page joins it
    [note] = doc.xpath(_UNKNOWN)
    assert " ".join(note.text_content().split()).startswith(
        "The roster's first sync is running: learners who have never opened the tool appear"
    )
    [job_id] = tool.rows("SELECT id FROM job_run WHERE kind = 'roster_sync'")[0]
    assert note.get("id") == "job" and note.get("data-status") == "running"  # static/jobs.js
    assert note.get("data-job-url").split("?")[0] == f"/instructor/jobs/{job_id}"
    assert doc.xpath("//script[contains(@src, 'jobs.js')]")
    teacher.get(tool.url + "/instructor/cohort", headers=HTML)
    assert syncs() == [("running",)]  # the second page joins it

    _sync_roster(tool)  # as the worker runs it
    assert syncs() == [("done",)]
    for path in ("/instructor/", "/instructor/cohort"):
        doc = html.fromstring(teacher.get(tool.url + path, headers=HTML).text)
        figure = doc.xpath("//dt[normalize-space()='Never launched']")[0].getnext()
        assert figure.text_content().strip().isdigit(), path
        assert not doc.xpath(_UNKNOWN) or path == "/instructor/cohort", path
    assert syncs() == [("done",)]  # a course synced once is the beat's (LMS_ROSTER_SYNC_HOURS)


def test_a_learner_page_or_syncs_by_hand_only_start_no_roster_sync(tool, platform):
    learner = api_launch(tool, platform, user="learner-1")
    learner.get(tool.url + "/programs", headers=HTML)
    with settings_changed(tool.app, roster_sync_hours=0):
        teacher = api_launch(tool, platform, user="teacher-1")
        assert teacher.get(tool.url + "/instructor/cohort", headers=HTML).status_code == 200
    assert tool.rows("SELECT count(*) FROM job_run WHERE kind = 'roster_sync'") == [(0,)]


def test_a_course_without_the_roster_service_says_never_launched_cannot_be_known(tool, platform):
    nrps = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    api_launch(tool, platform, user="learner-9", course="no-roster", claims={nrps: None})
    teacher = api_launch(tool, platform, user="teacher-1", course="no-roster", claims={nrps: None})
    doc = html.fromstring(teacher.get(tool.url + "/instructor/", headers=HTML).text)
    note = " ".join(doc.xpath(_UNKNOWN)[0].text_content().split())
    assert note == (
        "The LMS does not share this course's roster with the tool, so learners who have never"
        " opened it are not known here."
    )


_UNKNOWN = "//*[@data-testid='roster-unknown']"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("status=needs_review", {"Ben Review"}),
        ("status=failed&module=" + L1M1, {"Cara Failed"}),
        ("status=submitted&level=1", {"Dan Grading"}),
        ("status=passed&level=2", set()),  # nobody has passed a Level 2 module
        ("risk=1", {"Cara Failed", "Gus Idle"}),
        ("activity=idle14", {"Gus Idle"}),
        ("activity=week&q=ana", {"Ana Passed"}),
        ("q=%25", set()),  # a LIKE wildcard is searched for as a character
    ],
)
def test_filters(tool, seeded, query, names):
    _, teacher = seeded
    page = teacher.get(tool.url + "/instructor/cohort?" + query, headers=HTML)
    assert page.status_code == 200
    assert set(read_grid(page.text)) & set(NAMES.values()) == names


def test_the_charts_count_the_learners_the_filters_keep_in_words(tool, seeded):
    _, teacher = seeded
    one = teacher.get(tool.url + "/instructor/cohort?q=ana", headers=HTML).text
    assert "Over the 1 learner the filters keep." in one  # it read "Over the 1 learners"
    assert "where the 1 learner shown stands" in one  # the chart's description
    every = teacher.get(tool.url + "/instructor/cohort", headers=HTML).text
    assert re.search(r"Over the \d+ learners the filters keep\.", every)


def test_a_module_or_level_filter_shows_only_its_columns(tool, seeded):
    _, teacher = seeded
    level = read_grid(teacher.get(tool.url + "/instructor/cohort?level=2", headers=HTML).text)
    assert list(level["Ana Passed"].cells) == ["2.1", "2.2", "2.3", "2.4", "2.5"]
    one = read_grid(teacher.get(tool.url + f"/instructor/cohort?module={L1M1}", headers=HTML).text)
    assert list(one["Ana Passed"].cells) == ["1.1"] and one["Ana Passed"].passed == "1/1"


def test_sort_by_a_module_and_paging(tool, seeded):
    _, teacher = seeded
    url = tool.url + f"/instructor/cohort?sort={L1M1}&desc=1&per=25&q=a"
    ranked = list(read_grid(teacher.get(url, headers=HTML).text))
    # names with an "a": passed, then submitted (grading), failed, in progress
    assert ranked == ["Ana Passed", "Dan Grading", "Cara Failed", "Eve Started"]
    pages = []
    for n in (1, 2, 3):
        page = teacher.get(tool.url + f"/instructor/cohort?per=25&page={n}", headers=HTML).text
        pages.append(list(read_grid(page)))
    everyone = tool.rows("SELECT count(*) FROM membership WHERE access = 'learner'")[0][0]
    assert sum(len(p) for p in pages) == everyone and len(pages[0]) == min(25, everyone)
    assert not set(pages[0]) & set(pages[1])


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "level=7",
        "module=nope",
        "sort=password",
        "per=13",
        "page=0",
        "risk=yes",
        "q=" + "x" * 101,
        "activity=soon",
    ],
)
def test_filters_that_make_no_sense_are_a_clear_400(tool, seeded, query):
    _, teacher = seeded
    page = teacher.get(tool.url + "/instructor/cohort?" + query, headers=HTML)
    assert page.status_code == 400 and "<html" in page.text.lower()
    heading = html.fromstring(page.text).get_element_by_id("err-title").text_content().strip()
    # A sentence: it starts with a capital or a quotation, not a bare parameter name.
    assert (heading[0].isupper() or heading[0] == "“") and heading.endswith("."), heading
    assert teacher.get(tool.url + "/instructor/cohort.csv?" + query).status_code == 400


def test_statistics_per_module(tool, seeded):
    _, teacher = seeded
    doc = html.fromstring(teacher.get(tool.url + "/instructor/cohort?level=1", headers=HTML).text)
    svg = doc.xpath("//figure[contains(@class, 'hm-figure')]//*[local-name()='svg']")[0]
    assert svg.get("role") == "img" and svg.xpath("./*[local-name()='title']")[0].text
    table = doc.xpath("//section[.//h2[@id='stats-title']]//table")[0]
    headers = [th.text_content() for th in table.xpath(".//thead//th")]
    first = [td.text_content() for td in table.xpath(".//tbody/tr[1]/*")]
    counts = dict(zip(headers, first, strict=True))
    learners = tool.rows("SELECT count(*) FROM membership WHERE access = 'learner'")[0][0]
    assert counts["Passed"] == f"{whole_percent(100 / learners)}%" and counts["Needs review"] == "1"
    assert counts["Failed"] == "1" and counts["Submitted, grading"] == "1"
    assert int(counts["Not started"]) == learners - 6


def test_score_distribution_draws_the_scored_modules_and_names_the_others_in_one_line(tool, seeded):
    """A module nobody has a score in gets no empty chart box (a row of those sat unevenly
    beside the charts): one line names them all."""
    _, teacher = seeded
    doc = html.fromstring(teacher.get(tool.url + "/instructor/cohort?level=1", headers=HTML).text)
    captions = [
        " ".join(f.text_content().split())
        for f in doc.xpath("//figure[contains(@class, 'hm-small')]/figcaption")
    ]
    assert [c.split()[0] for c in captions] == ["1.1"]  # the seed scores 1.1 only
    for figure in doc.xpath("//figure[contains(@class, 'hm-small')]"):
        assert figure.xpath(".//*[local-name()='svg']")
    (line,) = doc.xpath("//p[contains(@class, 'hm-unscored')]")
    text = " ".join(line.text_content().split())
    assert text.startswith("No scores yet in 1.2 ") and "; 1.6 " in text and "2.1" not in text


def test_drill_down_shows_the_learners_work(tool, seeded):
    seed, teacher = seeded
    grid = read_grid(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)
    page = teacher.get(tool.url + grid["Cara Failed"].cells["1.1"][2], headers=HTML)
    assert page.status_code == 200
    doc = html.fromstring(page.text)
    assert "Failed" in doc.xpath("string(//*[@data-testid='state'])")
    attempts = doc.xpath("//section[@data-testid='attempts']//details")
    assert len(attempts) == 2 and "0% — not passed" in attempts[0].xpath("string(./summary)")
    assert "1 attempt left" in page.text
    answers = attempts[1].xpath(".//tbody/tr")
    assert answers and all(len(r.xpath("./td")) == 4 for r in answers)

    ben = teacher.get(tool.url + grid["Ben Review"].cells["1.1"][2], headers=HTML).text
    assert (
        "waiting for review" in ben and f"/instructor/reviews/{seed.submissions['waiting']}" in ben
    )
    ana = teacher.get(tool.url + grid["Ana Passed"].cells["1.1"][2], headers=HTML).text
    assert "Review by" in ana and "passed (100%)" in ana


def test_a_score_just_under_the_pass_mark_never_reads_as_the_pass_mark(tool, seeded):
    # 79.6% against a pass mark of 80%: the grid's whole percent is cut (79%), never rounded up
    # to the mark the learner did not reach; the drill-down shows the score as the learner sees it.
    _, teacher = seeded
    tool.rows(
        "UPDATE quiz_attempt SET percent = 79.6 WHERE user_id ="
        " (SELECT id FROM lti_user WHERE name = 'Cara Failed') RETURNING id"
    )
    grid = read_grid(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)
    state, text, href = grid["Cara Failed"].cells["1.1"]
    assert state == "failed" and "79%" in text and "80%" not in text
    doc = html.fromstring(teacher.get(tool.url + href, headers=HTML).text)
    assert "79.6%" in doc.xpath("string(//*[@data-testid='state'])")
    summaries = [
        d.xpath("string(./summary)")
        for d in doc.xpath("//section[@data-testid='attempts']//details")
    ]
    assert summaries and all("79.6% — not passed" in s for s in summaries), summaries
    rows = list(csv.reader(io.StringIO(teacher.get(tool.url + "/instructor/cohort.csv").text)))
    cara = dict(zip(rows[0], next(r for r in rows if r[0] == "Cara Failed"), strict=True))
    assert [v for k, v in cara.items() if k.startswith("1.1 ") and k.endswith("score %")] == [
        "79.60"
    ]


def test_drill_down_says_when_no_gradebook_column_takes_the_module_s_grade(tool, seeded):
    """Module 1.2 has no link of its own in the course (per-module columns are off): its grade
    is the tool's, and only the certificate's column would count it."""
    _, teacher = seeded
    second = catalogue().programs[0].modules[1]
    [(context_id, user_id)] = tool.rows(
        "SELECT m.context_id, m.user_id FROM membership m JOIN lti_user u ON u.id = m.user_id"
        " WHERE u.name = 'Ana Passed'"
    )
    with tool.app.app_context():
        folded = write_passed_work(db.session(), context_id, user_id, [second], log=False)
        grades.refresh_grades(db.session(), folded)
        db.session.commit()
    grid = read_grid(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)
    page = teacher.get(tool.url + grid["Ana Passed"].cells["1.2"][2], headers=HTML).text
    sync = html.fromstring(page).xpath("string(//*[@data-testid='sync'])")
    assert sync == "not sent: no column takes this module's grade"
    first = teacher.get(tool.url + grid["Ana Passed"].cells["1.1"][2], headers=HTML).text
    assert html.fromstring(first).xpath("string(//*[@data-testid='sync'])") != sync


def test_drill_down_of_a_learner_of_another_course_is_not_found(tool, platform, seeded):
    _, teacher = seeded
    other = launch(tool, platform, "c-other", course="course-202")
    del other
    user = tool.rows("SELECT id FROM lti_user WHERE sub = 'c-other'")[0][0]
    url = tool.url + f"/instructor/cohort/learners/{user}/modules/{L1M1}"
    assert teacher.get(url, headers=HTML).status_code == 404
    assert (
        teacher.get(
            tool.url + "/instructor/cohort/learners/1/modules/nope", headers=HTML
        ).status_code
        == 404
    )


def test_another_course_sees_only_its_own_learners(tool, platform, seeded):
    launch(tool, platform, "c-other", course="course-202")
    teacher = api_launch(tool, platform, user="teacher-1", course="course-202")
    grid = read_grid(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)
    assert list(grid) == ["Learner c-other"]
    rows = list(csv.reader(io.StringIO(teacher.get(tool.url + "/instructor/cohort.csv").text)))
    assert [r[0] for r in rows[1:]] == ["Learner c-other"]


def test_learners_are_refused_every_cohort_page(tool, platform, seeded):
    learner = launch(tool, platform, "c-review")
    user = tool.rows("SELECT id FROM lti_user WHERE sub = 'c-failed'")[0][0]
    for path in (
        "/instructor/cohort",
        "/instructor/cohort.csv",
        "/instructor/cohort/competencies",
        "/instructor/cohort/competencies.csv",
        f"/instructor/cohort/learners/{user}/modules/{L1M1}",
    ):
        assert learner.get(tool.url + path, headers=HTML).status_code == 403, path


def test_grid_csv_has_the_filters_a_header_and_a_dated_name(tool, seeded):
    _, teacher = seeded
    response = teacher.get(tool.url + "/instructor/cohort.csv?level=1&status=failed")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "-cohort-20" in disposition
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:7] == [
        "Learner",
        "LMS user id",
        "Email",
        "Launched",
        "Last activity (UTC)",
        "Modules passed (of 6)",
        "At risk",
    ]
    assert (
        len(header) == 7 + 2 * 6 and header[7].startswith("1.1 ") and header[7].endswith(": status")
    )
    assert [r[0] for r in rows[1:]] == ["Cara Failed"]
    line = dict(zip(header, rows[1], strict=True))
    assert line["At risk"] == "yes" and line[header[7]] == "Failed" and line[header[8]] == "0.00"


def test_csv_names_are_never_formulas(tool, platform, seeded):
    platform.add_user("c-formula", '=HYPERLINK("http://evil")', platform.users["learner-1"].roles)
    api_launch(tool, platform, user="c-formula")
    _, teacher = seeded
    text = teacher.get(tool.url + "/instructor/cohort.csv?q=hyperlink").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][0] == '\'=HYPERLINK("http://evil")'


def test_competency_view_and_its_csv(tool, seeded):
    _, teacher = seeded
    page = teacher.get(tool.url + "/instructor/cohort/competencies?module=" + L1M1, headers=HTML)
    assert page.status_code == 200
    doc = html.fromstring(page.text)
    isp = [c.id for c in catalogue().competencies if c.kind == "competency"]
    cohort = [
        tr.xpath("string(./th)").split()[0]
        for tr in doc.xpath("//table[@data-testid='cohort-mastery']/tbody/tr")
    ]
    assert cohort == isp and len(isp) == 15
    table = doc.xpath("//table[@data-testid='learner-mastery']")[0]
    shown = {
        tr.xpath("string(./th)"): [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
        for tr in table.xpath("./tbody/tr")
    }
    # Each competency tagged on the items of a learner's latest attempt (and on the criteria
    # of Ana's review, all at the top level): all right 100%, all wrong 0%, else no evidence.
    criteria = {c for crit in module(L1M1).assignment.criteria for c in crit.competencies}
    expected = {
        "Ana Passed": (_evidence(tool, "c-passed") | criteria, "100% secure"),
        "Ben Review": (_evidence(tool, "c-review"), "100% secure"),
        "Cara Failed": (_evidence(tool, "c-failed"), "0% emerging"),
        "Eve Started": (set(), ""),
    }
    assert "SC-1" in expected["Ana Passed"][0]  # a criterion of her passed review
    for name, (tagged, value) in expected.items():
        assert shown[name] == [value if cid in tagged else "—no evidence" for cid in isp], name
    response = teacher.get(tool.url + "/instructor/cohort/competencies.csv?module=" + L1M1)
    assert response.status_code == 200
    assert "-competencies-20" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Learner", "LMS user id", "Email"] and len(lines[0]) == 3 + 15
    by_name = {r[0]: r[3:] for r in lines[1:]}
    assert by_name["Cara Failed"] == [
        "0.00" if cid in expected["Cara Failed"][0] else "" for cid in isp
    ]
    assert set(by_name["Eve Started"]) == {""}


def _evidence(tool, sub: str) -> set[str]:
    """The ISP competencies tagged on the items of the learner's latest graded attempt."""
    (items,) = tool.rows(
        "SELECT item_ids FROM quiz_attempt WHERE status = 'graded' AND user_id ="
        f" (SELECT id FROM lti_user WHERE sub = '{sub}') ORDER BY number DESC LIMIT 1"
    )[0]
    isp = {c.id for c in catalogue().competencies if c.kind == "competency"}
    return {c for i in items for c in module(L1M1).item(i).competencies if c in isp}


def _sync_roster(tool) -> None:
    from tests.integration.test_cohort import _sync_roster as sync

    sync(tool)


def test_a_course_title_beyond_ascii_names_the_csv_by_rfc_6266_not_a_500(tool, platform):
    """A Moodle course's full name is anything its teacher typed: an em dash, Greek, accents.
    Raw UTF-8 in a header is not HTTP (gunicorn and the standard library refuse to send it): the
    name goes as ``filename*`` (RFC 8187) beside an ASCII ``filename``."""
    course = "Été — Ελληνικά"
    teacher = api_launch(tool, platform, user="teacher-1", course=course)
    title = f"ISP Certificate {course}"
    for path, what in (
        ("/instructor/cohort.csv", "cohort"),
        ("/instructor/cohort/competencies.csv", "competencies"),
        (f"/instructor/cohort/questions.csv?module={L1M1}", "questions-1.1"),
    ):
        response = teacher.get(tool.url + path, timeout=30)
        assert response.status_code == 200, (path, response.text[:300])
        disposition = response.raw.headers["Content-Disposition"]
        assert disposition.isascii()
        ascii_name, utf8_name = re.fullmatch(
            r"attachment; filename=\"([^\"]+)\"; filename\*=UTF-8''(\S+)", disposition
        ).groups()
        assert ascii_name.startswith(f"ISP-Certificate-Ete-{what}-20")
        assert unquote(utf8_name).startswith(f"{title.replace(' ', '-')}-{what}-20")
